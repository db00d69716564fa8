/** How numbers and times read on the dashboard; plain functions, the same on every page. */

const counts = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return counts.format(n);
}

/** `0.9925 -> "99.3%"`; null (no rows) reads as a dash. */
export function formatPercent(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return '–';
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** `8300 -> "8.3 s"`, `125000 -> "2 min 5 s"`, `7_200_000 -> "2 h 0 min"`. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const hours = Math.floor(seconds / 3600);
  if (hours < 48) return `${hours} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}

/** Local date and time, to the second: `2026-11-28 14:03:07`. */
export function formatTime(iso: string | null): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `"3 min ago"`, or `"in 12 min"` for a time ahead. */
export function formatAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return '–';
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return iso;
  const ms = now - at;
  const text = formatDuration(Math.abs(ms)).replace(/\.\d s$/, ' s');
  return ms >= 0 ? `${text} ago` : `in ${text}`;
}

/** `$12.34`: credits as the provider's catalogue shows prices. */
export function formatCredits(amount: number): string {
  return `$${amount.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}
