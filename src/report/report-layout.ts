/**
 * What a file's report holds besides the daemon's own columns: the input's other columns after
 * ours (customer, model...), and marks before every NOTE that change how the whole report is
 * read (a simulated run, a re-check). Pure.
 */
import { REPORT_COLUMNS, reportRowCells, type ReportRow } from './columns.js';

export interface ReportLayout {
  /** The input's other columns as the report heads them, after REPORT_COLUMNS. */
  inputColumns: readonly string[];
  /** Put before every row's NOTE, joined with `; `. Empty: the NOTE as it is. */
  noteMarks: readonly string[];
  /** The workbook's sheet name. */
  sheetName: string;
}

export interface FileReportFacts {
  /** The input's other columns, by the names its header gives them (`files.input_columns`). */
  inputColumns: readonly string[];
  /** Dropped in `inbox/recheck/`: ordered again on purpose. */
  recheck: boolean;
  /** Ordered from the built-in simulator: nothing real was ordered. */
  simulated: boolean;
}

/**
 * The mark of a simulated run, on every row: the CSV's columns are fixed by the contract (a
 * line above the header would break every reader that takes the first line for the header), and
 * NOTE is the column in plain words that people read to learn what happened to a row.
 */
export const SIMULATED_MARK = 'SIMULATED: nothing real was ordered';
/** The mark of a file dropped in `inbox/recheck/`. */
export const RECHECK_MARK = 're-check: asked to order again';

/** A report with nothing but the daemon's columns. */
export const PLAIN_LAYOUT: ReportLayout = { inputColumns: [], noteMarks: [], sheetName: 'Report' };

export function reportLayout(facts: FileReportFacts): ReportLayout {
  const noteMarks = [...(facts.simulated ? [SIMULATED_MARK] : []), ...(facts.recheck ? [RECHECK_MARK] : [])];
  return {
    inputColumns: reportInputColumnNames(facts.inputColumns),
    noteMarks,
    sheetName: facts.simulated ? 'SIMULATED report' : 'Report',
  };
}

/**
 * The input's column names as report headings: as the input names them, unless that heading is
 * taken (one of ours, in any case, or an earlier input column): then `NAME (input)`, `NAME
 * (input 2)`... A script reading the report by heading must always get our MODEL, not theirs.
 */
export function reportInputColumnNames(names: readonly string[]): string[] {
  const taken = new Set<string>(REPORT_COLUMNS.map((column) => column.toLowerCase()));
  return names.map((name) => {
    let heading = name;
    for (let n = 1; taken.has(heading.toLowerCase()); n += 1) heading = n === 1 ? `${name} (input)` : `${name} (input ${n})`;
    taken.add(heading.toLowerCase());
    return heading;
  });
}

/** Every heading of the report, ours first. */
export function reportHeadings(layout: ReportLayout): string[] {
  return [...REPORT_COLUMNS, ...layout.inputColumns];
}

/** A row's cells under the layout's headings; its input cells padded or cut to the columns known. */
export function layoutCells(row: ReportRow, layout: ReportLayout): string[] {
  const cells = reportRowCells(row);
  if (layout.noteMarks.length > 0) {
    const note = cells[NOTE_INDEX] ?? '';
    cells[NOTE_INDEX] = [...layout.noteMarks, ...(note === '' ? [] : [note])].join('; ');
  }
  const wanted = layout.inputColumns.length;
  if (wanted === 0) return cells;
  const input = row.inputCells ?? [];
  for (let index = 0; index < wanted; index += 1) cells.push(input[index] ?? '');
  return cells;
}

const NOTE_INDEX = REPORT_COLUMNS.indexOf('NOTE');
/** IMEI NO. and IMEI 2: text in the workbook, whatever a spreadsheet would make of them. */
export const IMEI_COLUMN_INDEXES: ReadonlySet<number> = new Set([REPORT_COLUMNS.indexOf('IMEI NO.'), REPORT_COLUMNS.indexOf('IMEI 2')]);
/** ROW: a number in the workbook, so it sorts as one. */
export const ROW_COLUMN_INDEX = REPORT_COLUMNS.indexOf('ROW');
