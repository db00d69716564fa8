/** Reading a report workbook back with exceljs, an independent reader, for tests. */
import ExcelJS from 'exceljs';

export interface WorkbookSheet {
  name: string;
  /** Each row's cells as exceljs reads them (strings stay strings, numbers numbers), column A first. */
  rows: unknown[][];
  /** The number format of each cell, as exceljs reads it, row by row. */
  formats: (string | undefined)[][];
}

export async function readWorkbook(path: string): Promise<WorkbookSheet[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook.worksheets.map((sheet) => {
    const rows: unknown[][] = [];
    const formats: (string | undefined)[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row) => {
      const values = row.values as unknown[];
      rows.push(values.slice(1).map((value) => value ?? ''));
      const rowFormats: (string | undefined)[] = [];
      row.eachCell({ includeEmpty: true }, (cell) => rowFormats.push(cell.numFmt));
      formats.push(rowFormats);
    });
    return { name: sheet.name, rows, formats };
  });
}
