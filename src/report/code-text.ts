/**
 * The provider's result text as plain text. Some services wrap values in HTML (`<br>` between
 * pairs, `<span style="color:green">` around a status, `AT&amp;T`); the report wants the words.
 * Pure: no I/O.
 */

/** Tags that end a line of text: `<br>`, `<br/>`, and the block elements some services use. */
const LINE_BREAK_TAG = /<\s*(?:br\s*\/?|\/?\s*(?:p|div|li|tr|table|ul|ol)\b[^<>]*)>/gi;

/**
 * Any other tag. Starts with a letter (or `/` and a letter) so that text such as
 * `Storage <64GB` is not mistaken for a tag.
 */
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

/**
 * Anything plainCodeText would change besides trimming the ends: the start of a tag, an entity,
 * a line break, a tab or no-break space, or two spaces in a row.
 */
const NEEDS_CLEANING = new RegExp(String.raw`[<\r\n\t\u00A0]| {2}|${ENTITY.source}`, 'i');

/**
 * Tags removed, entities decoded, line breaks (`<br>`, CR/LF) as `\n`, each line trimmed and
 * blank lines dropped. Tags go before entities so that an encoded `&lt;b&gt;` stays visible text.
 */
export function plainCodeText(code: string): string {
  // Most codes are already plain, one line of `Key: Value` pairs: then all of the below would
  // come down to trimming, at a tenth of the cost (about 3 µs a row for six regular expressions).
  if (!NEEDS_CLEANING.test(code)) return code.trim();
  const withoutTags = code.replace(LINE_BREAK_TAG, '\n').replace(TAG, '');
  return decodeEntities(withoutTags)
    .replace(/\u00A0/g, ' ')
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * The CODE cell: plain text on one line, line breaks written as the checkers' own ` - `
 * separator so that a multi-line result does not turn into a multi-line spreadsheet cell.
 */
export function codeCellText(code: string): string {
  if (code === '') return code; // most rows: an order without a result yet
  return codeCellOfPlainText(plainCodeText(code));
}

/** codeCellText for a code already through plainCodeText (the report needs both). */
export function codeCellOfPlainText(plain: string): string {
  return plain.replaceAll('\n', ' - ');
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
