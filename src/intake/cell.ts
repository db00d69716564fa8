/**
 * Undoing what spreadsheets do to a cell so its value can be read: the tricks Excel users apply
 * to keep a long number as text (`="353..."`, a leading `'`) and stray surrounding whitespace.
 * Shared by IMEI, service id and header reading so all three agree on what a cell "says".
 */

/**
 * Whitespace as JavaScript's `\s` sees it (which includes the no-break space and the BOM) plus
 * the zero-width characters that copying from web pages and chat apps brings along.
 */
const INVISIBLE_AT_EDGES = /^[\s\u200b-\u200d\u2060]+|[\s\u200b-\u200d\u2060]+$/g;

/** Excel's formula wrapper, written to keep a long number as text: `="353370080089451"`. */
const EXCEL_FORMULA_TEXT = /^="(.*)"$/s;

/** Trims whitespace (including invisible characters) from both ends. */
export function trimCell(value: string): string {
  // Fast path for the common case, both ends plain ASCII: this runs for every cell of a file.
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  if (isPrintableAscii(first) && isPrintableAscii(last)) return value;
  return value.replace(INVISIBLE_AT_EDGES, '');
}

function isPrintableAscii(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

/**
 * The value a person meant when typing the cell: trimmed, without Excel's `="..."` wrapper,
 * without surrounding double quotes that survived CSV parsing, and without the leading `'` that
 * Excel uses to mark text. Only one layer of each is removed: anything deeper is data.
 */
export function unwrapCell(value: string): string {
  let text = trimCell(value);
  const formula = EXCEL_FORMULA_TEXT.exec(text);
  if (formula !== null) text = trimCell(formula[1] ?? '');
  // relax_quotes keeps quotes that were not at a field's start, so `"..."` can reach us intact.
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    text = trimCell(text.slice(1, -1));
  }
  if (text.startsWith("'")) text = trimCell(text.slice(1));
  return text;
}

/** `0 -> A`, `25 -> Z`, `26 -> AA`: how a spreadsheet names a column. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  }
  return letters;
}
