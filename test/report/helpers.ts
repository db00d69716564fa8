import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ReportRow } from '../../src/report/index.js';

export async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'imei-report-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Reads a report the way a script would: BOM stripped, CRLF records. */
export async function readReport(path: string): Promise<string[][]> {
  const text = await readFile(path, 'utf8');
  return parse(text, { bom: true, relax_column_count: false }) as string[][];
}

export function sampleRow(overrides: Partial<ReportRow> = {}): ReportRow {
  return {
    service: 'APPLE FULL INFO',
    imei: '353979106673567',
    credits: '$0.08',
    status: 'Completed',
    code: 'Model: iPhone 11 Purple 64GB - Carrier: Unlocked - SimLock: Unlocked',
    imei2: '353979106589748',
    carrier: 'Unlocked',
    simlock: 'Unlocked',
    model: 'iPhone 11 Purple 64GB',
    fmi: 'ON',
    orderDate: '2024-05-01 10:00:00',
    orderId: '15556534',
    row: 2,
    note: '',
    ...overrides,
  };
}
