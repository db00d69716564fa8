/**
 * The code parsing as it was before its fast paths (plainCodeText's plain-text shortcut, the key
 * cache, cleaning only values that fill a column), kept verbatim as the oracle the property test
 * holds the fast code to. Not used by the daemon.
 */

const LINE_BREAK_TAG = /<\s*(?:br\s*\/?|\/?\s*(?:p|div|li|tr|table|ul|ol)\b[^<>]*)>/gi;
const TAG = /<\/?[A-Za-z][^<>]*>/g;
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};
const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]+));/gi;

export function referencePlainCodeText(code: string): string {
  const withoutTags = code.replace(LINE_BREAK_TAG, '\n').replace(TAG, '');
  return decodeEntities(withoutTags)
    .replace(/\u00A0/g, ' ')
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

export function referenceCodeCellText(code: string): string {
  return referencePlainCodeText(code).split('\n').join(' - ');
}

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (entity, decimal?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
    const codePoint = decimal !== undefined ? Number(decimal) : Number.parseInt(hex ?? '', 16);
    return isPrintableCodePoint(codePoint) ? String.fromCodePoint(codePoint) : entity;
  });
}

function isPrintableCodePoint(codePoint: number): boolean {
  if (!Number.isInteger(codePoint) || codePoint > 0x10ffff) return false;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return false;
  return codePoint >= 0x20 || codePoint === 0x09 || codePoint === 0x0a;
}

interface ReferenceCodeFields {
  model: string;
  carrier: string;
  simlock: string;
  fmi: string;
  imei2: string;
}

type CodeField = keyof ReferenceCodeFields;

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

const KEY = String.raw`[A-Za-z0-9][\w/.()&'#+-]*(?: [A-Za-z0-9(][\w/.()&'#+-]*){0,5}`;
const PAIR = new RegExp(String.raw`^(${KEY})\s*:(?:\s+|$)([\s\S]*)$`);
const SEPARATOR = new RegExp(String.raw`\s+-\s+(?=${KEY}\s*:(?:\s|$))`);

export function referenceParseCodeFields(code: string): ReferenceCodeFields {
  const fields: ReferenceCodeFields = { model: '', carrier: '', simlock: '', fmi: '', imei2: '' };
  for (const pair of referenceCodePairs(code)) {
    const field = KEY_ALIASES.get(pair.key.toLowerCase().replace(/\s+/g, ''));
    if (field !== undefined && fields[field] === '') fields[field] = pair.value;
  }
  return fields;
}

export function referenceCodePairs(code: string): { key: string; value: string }[] {
  const pairs: { key: string; value: string }[] = [];
  for (const line of referencePlainCodeText(code).split('\n')) {
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

function cleanValue(value: string): string {
  const trimmed = value
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^-(?:\s+|$)/, '')
    .replace(/(?:^|\s+)-$/, '')
    .trim();
  return /^-+$/.test(trimmed) ? '' : trimmed;
}
