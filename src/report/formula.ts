/**
 * CSV injection defence (daemon-contract.md, "Output"; OWASP "CSV Injection"). Report cells
 * carry text from a remote server and the report is opened in Excel, so any cell a spreadsheet
 * would evaluate is prefixed with `'`, which spreadsheets show as text.
 */

/**
 * Characters that make a spreadsheet treat a cell as a formula. The contract names the first
 * six; the full-width forms are added because Apple Numbers normalises them to their ASCII
 * counterparts before deciding (the same list csv-stringify's `escape_formulas` uses).
 */
const FORMULA_TRIGGERS: ReadonlySet<string> = new Set([
  '=',
  '+',
  '-',
  '@',
  '\t',
  '\r',
  '\uFF1D',
  '\uFF0B',
  '\uFF0D',
  '\uFF20',
]);

export function startsLikeFormula(value: string): boolean {
  const first = value[0];
  return first !== undefined && FORMULA_TRIGGERS.has(first);
}

/**
 * Returns `value` with a leading `'` when a spreadsheet would run it as a formula. A plain
 * negative number is never written by the report, so `-` is always defused.
 */
export function defuseFormula(value: string): string {
  return startsLikeFormula(value) ? `'${value}` : value;
}
