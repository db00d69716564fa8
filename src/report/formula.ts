/**
 * CSV injection defence (daemon-contract.md, "Output"; OWASP "CSV Injection"). Report cells
 * carry text from a remote server and the report is opened in Excel, so any cell a spreadsheet
 * would evaluate is prefixed with `'`, which spreadsheets show as text.
 */

/**
 * Characters that make a spreadsheet treat a cell as a formula, by UTF-16 code. The contract
 * names the first six; the full-width forms are added because Apple Numbers normalises them to
 * their ASCII counterparts before deciding (the same list csv-stringify's `escape_formulas`
 * uses). Codes rather than one-character strings: this is asked of every cell of every report
 * line, and a number lookup does not make a string first.
 */
const FORMULA_TRIGGERS: ReadonlySet<number> = new Set(
  ['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20'].map((trigger) => trigger.charCodeAt(0)),
);

export function startsLikeFormula(value: string): boolean {
  // charCodeAt(0) of '' is NaN, which is in no set.
  return FORMULA_TRIGGERS.has(value.charCodeAt(0));
}

/**
 * Returns `value` with a leading `'` when a spreadsheet would run it as a formula. A plain
 * negative number is never written by the report, so `-` is always defused.
 */
export function defuseFormula(value: string): string {
  return startsLikeFormula(value) ? `'${value}` : value;
}
