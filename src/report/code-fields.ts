/**
 * Report columns read out of the provider's result text (`code`, see gsmfusion-api.md,
 * `getimeis`). Checker services answer with `Key: Value` pairs separated by ` - `; keys vary
 * by service and values may contain dashes themselves (`T-Mobile USA`, `AT&T - Locked Policy`).
 * Pure: no I/O.
 */

import { plainCodeText } from './code-text.js';

export interface CodeFields {
  model: string;
  carrier: string;
  simlock: string;
  fmi: string;
  imei2: string;
}

type CodeField = keyof CodeFields;

/**
 * Known keys, compared lower-cased with spaces removed so `Sim Lock`, `SIMLOCK` and `SimLock`
 * are one key. Unknown keys are ignored: a checker adds keys we have no column for.
 */
const KEY_ALIASES: ReadonlyMap<string, CodeField> = new Map<string, CodeField>([
  ['model', 'model'],
  ['modelname', 'model'],
  ['modeldescription', 'model'],
  ['device', 'model'],
  ['carrier', 'carrier'],
  ['lockedcarrier', 'carrier'],
  ['initialcarrier', 'carrier'],
  ['network', 'carrier'],
  ['simlock', 'simlock'],
  ['simlockstatus', 'simlock'],
  ['lockstatus', 'simlock'],
  ['findmyiphone', 'fmi'],
  ['findmyiphonestatus', 'fmi'],
  ['fmi', 'fmi'],
  ['fmistatus', 'fmi'],
  ['imei2', 'imei2'],
  ['imei2number', 'imei2'],
]);

/**
 * What a key looks like: up to six words separated by single spaces, each starting with a
 * letter, digit or `(`. A lone `-` is not a word, so a key can never reach back across a
 * ` - ` separator: in `AT&T - Locked Policy - SimLock: Locked` only `SimLock` is a key.
 */
const KEY = String.raw`[A-Za-z0-9][\w/.()&'#+-]*(?: [A-Za-z0-9(][\w/.()&'#+-]*){0,5}`;

/** A pair starts with a key and a colon followed by space or the end (not `http://`). */
const PAIR = new RegExp(String.raw`^(${KEY})\s*:(?:\s+|$)([\s\S]*)$`);

/** ` - ` is a separator only when a key follows it; otherwise it belongs to the value. */
const SEPARATOR = new RegExp(String.raw`\s+-\s+(?=${KEY}\s*:(?:\s|$))`);

interface CodePair {
  key: string;
  value: string;
}

export function emptyCodeFields(): CodeFields {
  return { model: '', carrier: '', simlock: '', fmi: '', imei2: '' };
}

/** Fills the columns it recognises; free text and rejection reasons fill nothing. */
export function parseCodeFields(code: string): CodeFields {
  const fields = emptyCodeFields();
  for (const pair of codePairs(code)) {
    const field = KEY_ALIASES.get(normaliseKey(pair.key));
    // The first non-empty value wins: checkers that give both `Model` and `Model Description`
    // put the short, spreadsheet-friendly one first.
    if (field !== undefined && fields[field] === '') fields[field] = pair.value;
  }
  return fields;
}

/** Every `Key: Value` pair of a code, in order, HTML removed. Text outside pairs is dropped. */
export function codePairs(code: string): CodePair[] {
  const pairs: CodePair[] = [];
  for (const line of plainCodeText(code).split('\n')) {
    for (const segment of line.split(SEPARATOR)) {
      const match = PAIR.exec(segment.trim());
      const key = match?.[1];
      const value = match?.[2];
      if (key !== undefined && value !== undefined) {
        pairs.push({ key, value: cleanValue(value) });
      }
    }
  }
  return pairs;
}

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/\s+/g, '');
}

/** A stray dash at either end is a separator fragment (`SimLock: Locked -`), not data. */
function cleanValue(value: string): string {
  const trimmed = value
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^-(?:\s+|$)/, '')
    .replace(/(?:^|\s+)-$/, '')
    .trim();
  return /^-+$/.test(trimmed) ? '' : trimmed;
}
