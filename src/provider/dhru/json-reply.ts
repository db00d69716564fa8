/**
 * Reading DHRU's JSON as PHP writes it (dhru-fusion-api.md, "Transport"): numbers or strings
 * for every number, `\/`, keys in any case, lists or objects for PHP arrays, `ERROR` as a list,
 * an object or a plain string. Pure: body text in, values out.
 */

/**
 * A JSON value with every number kept as the text the server wrote: `REFERENCEID` 12345678901234567
 * stays exact (a JavaScript number would not), and `CREDIT` `45.00` keeps its zeros.
 */
export type JsonValue = string | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type JsonRead = { ok: true; value: JsonObject } | { ok: false; problem: string };

/** Parses a reply body into an object; an empty, non-JSON or non-object body is a problem. */
export function readJsonObject(body: string): JsonRead {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text === '') return { ok: false, problem: 'the reply is empty' };
  const whole = parseObject(text);
  if (whole !== undefined) return { ok: true, value: whole };
  // PHP notices printed before the JSON (`<b>Notice</b>: Undefined index...`) still leave the
  // server's answer intact after them.
  const start = text.indexOf('{"');
  const after = start > 0 ? parseObject(text.slice(start)) : undefined;
  if (after !== undefined) return { ok: true, value: after };
  return { ok: false, problem: text.startsWith('{') ? 'the JSON reply is cut short or malformed' : 'the reply is not JSON' };
}

function parseObject(text: string): JsonObject | undefined {
  try {
    const value = JSON.parse(quoteNumbers(text)) as JsonValue;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every number literal outside strings put in quotes, so JSON.parse keeps its text. Valid JSON
 * stays valid: a number token only ever stands where a string may.
 */
export function quoteNumbers(text: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  const end = text.length;
  while (i < end) {
    const char = text.charCodeAt(i);
    if (char === 0x22) {
      i = afterString(text, i);
      continue;
    }
    if (char === 0x2d || (char >= 0x30 && char <= 0x39)) {
      const start = i;
      i += 1;
      while (i < end && isNumberChar(text.charCodeAt(i))) i += 1;
      out += `${text.slice(copied, start)}"${text.slice(start, i)}"`;
      copied = i;
      continue;
    }
    i += 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The index after the string that starts at `start` (a `"`), or the end of the text. */
function afterString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const char = text.charCodeAt(i);
    if (char === 0x5c) i += 2;
    else if (char === 0x22) return i + 1;
    else i += 1;
  }
  return text.length;
}

function isNumberChar(char: number): boolean {
  // digits . e E + -
  return (char >= 0x30 && char <= 0x39) || char === 0x2e || char === 0x65 || char === 0x45 || char === 0x2b || char === 0x2d;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `object[name]`, else the first key equal to `name` ignoring case (`message` / `MESSAGE`). */
export function field(object: JsonObject, name: string): JsonValue | undefined {
  const exact = object[name];
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

/** The first of several spellings present (`AccoutInfo`, `AccountInfo`). */
export function firstField(object: JsonObject, names: readonly string[]): JsonValue | undefined {
  for (const name of names) {
    const value = field(object, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A scalar as text (`4` and `"4"` alike); objects, lists and null are empty. */
export function textOf(value: JsonValue | undefined): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? '1' : '0';
  return '';
}

/** `textOf(field(...))`, trimmed. */
export function fieldText(object: JsonObject, name: string): string {
  return textOf(field(object, name)).trim();
}

/** A PHP array as JSON: a list, or an object keyed by ids; either way its values, in order. */
export function valuesOf(value: JsonValue | undefined): JsonValue[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) return Object.values(value);
  return [];
}

/** A PHP array's entries with their keys (`"0"`, `"1"`... for a list). */
export function entriesOf(value: JsonValue | undefined): [string, JsonValue][] {
  if (Array.isArray(value)) return value.map((item, index) => [String(index), item]);
  if (isObject(value)) return Object.entries(value);
  return [];
}

/** `SUCCESS: [{...}]` or `SUCCESS: {...}`: the first record. */
export function firstRecord(value: JsonValue | undefined): JsonObject | undefined {
  if (isObject(value) && !looksLikeList(value)) return value;
  return valuesOf(value).find(isObject);
}

/** An object keyed `0`, `1`... is a PHP list written as an object. */
function looksLikeList(object: JsonObject): boolean {
  const keys = Object.keys(object);
  return keys.length > 0 && keys.every((key, index) => key === String(index));
}

/**
 * The text of an `ERROR`: each entry's `MESSAGE`, with `FULL_DESCRIPTION` after it when it adds
 * something, joined with `; `. `ERROR` may be a list of such entries, one entry, a list of
 * strings or a plain string. Undefined when there is no `ERROR`.
 */
export function errorText(object: JsonObject): string | undefined {
  const error = field(object, 'ERROR');
  if (error === undefined || error === null || error === false) return undefined;
  const entries = Array.isArray(error) ? error : [error];
  const texts = entries.map(entryText).filter((text) => text !== '');
  return texts.join('; ');
}

function entryText(entry: JsonValue): string {
  if (!isObject(entry)) return textOf(entry).trim();
  const message = fieldText(entry, 'MESSAGE');
  const description = fieldText(entry, 'FULL_DESCRIPTION');
  if (description === '' || description === message) return message;
  return message === '' ? description : `${message}: ${description}`;
}

/**
 * Objects a cut-off reply carried whole: for each key, the `"key": {...}` value that closes
 * before the cut. Used to keep what a truncated bulk reply did say about some rows.
 */
export function completeEntries(body: string, keys: readonly string[]): Map<string, JsonObject> {
  const found = new Map<string, JsonObject>();
  for (const key of keys) {
    const marker = `"${key}"`;
    let at = body.indexOf(marker);
    while (at !== -1) {
      const value = objectAfterColon(body, at + marker.length);
      if (value !== undefined) {
        found.set(key, value);
        break;
      }
      at = body.indexOf(marker, at + marker.length);
    }
  }
  return found;
}

/** The object that follows `: ` at `from`, if it closes within the text. */
function objectAfterColon(body: string, from: number): JsonObject | undefined {
  const head = /^\s*:\s*\{/.exec(body.slice(from, from + 64));
  if (head === null) return undefined;
  const open = from + head[0].length - 1;
  let depth = 0;
  let i = open;
  while (i < body.length) {
    const char = body.charCodeAt(i);
    if (char === 0x22) {
      i = afterString(body, i);
      continue;
    }
    if (char === 0x7b) depth += 1;
    else if (char === 0x7d && --depth === 0) return parseObject(body.slice(open, i + 1));
    i += 1;
  }
  return undefined;
}
