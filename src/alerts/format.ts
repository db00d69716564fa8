/** Small pure helpers for the alert mail: percentages, times, escaping, secret scrubbing. */

/**
 * `0.992 -> "99.2%"`, `0.5 -> "50%"`. Rounded down, so a rate just under the threshold never
 * reads as the threshold itself ("79.9% is below 80%", not "80% is below 80%").
 */
export function percent(rate: number): string {
  const tenths = Math.floor(rate * 1000 + 1e-9);
  const text = (tenths / 10).toFixed(1);
  return `${text.endsWith('.0') ? text.slice(0, -2) : text}%`;
}

/** The threshold as configured: `0.8 -> "80%"`. */
export function thresholdPercent(threshold: number): string {
  const text = (Math.round(threshold * 1000) / 10).toFixed(1);
  return `${text.endsWith('.0') ? text.slice(0, -2) : text}%`;
}

/** `2026-11-28T12:00:01.123Z -> "2026-11-28 12:00 UTC"`. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// Unlike the logger, mail blanks even a short secret: a mail leaves the machine.
export { scrubSecrets } from '../secrets.js';

/** One line of at most `max` characters: control characters (header injection) become spaces. */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `1 file`, `2 files`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
