/** JSON as DHRU's PHP writes it: `json_encode` escapes `/` and non-ASCII, numbers as numbers or strings. */

/** `json_encode` output: `\/` for `/`, `\uXXXX` for anything beyond ASCII. */
export function phpJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A number as the server writes it: a JSON number, or (stringNumbers) its text. */
export function numberField(text: string, asString: boolean): number | string {
  if (asString) return text;
  const value = Number(text);
  return Number.isFinite(value) && text.trim() !== '' ? value : text;
}

export const API_VERSION = '6.1';

/** The refusal envelope, `ERROR` as a list of messages or (one panel) a plain string. */
export function errorEnvelope(message: string, shape: 'list' | 'string'): Record<string, unknown> {
  return { ERROR: shape === 'string' ? message : [{ MESSAGE: message, FULL_DESCRIPTION: '' }] };
}

/** Text for an HTML `CODE`: `&`, `<`, `>` and `"` as entities. */
export function htmlEscape(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] ?? char);
}
