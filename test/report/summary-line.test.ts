import { describe, expect, it } from 'vitest';
import { buildSummary, type SummaryInput } from '../../src/report/summary.js';
import { formatSummaryLine } from '../../src/report/summary-line.js';

const BASE: SummaryInput = {
  file: 'orders.csv',
  service: '1739',
  rows: 6000,
  accepted: 5950,
  duplicates: 10,
  invalid: 20,
  failed: 20,
  unconfirmed: 0,
  apiCalls: 60,
  startedAt: '2026-11-28T10:00:00.000Z',
  finishedAt: '2026-11-28T10:00:08.300Z',
  final: false,
  simulated: false,
};

describe('the one summary line per file', () => {
  it('names the counts in the words users know', () => {
    expect(formatSummaryLine(buildSummary(BASE))).toBe(
      'orders.csv: 6,000 rows in 8.3 s: 5,950 ordered (99.2%), 10 duplicates, 20 invalid, 20 failed (retried on the retry schedule)',
    );
  });

  it('says refused for a file refused whole', () => {
    const summary = buildSummary({ ...BASE, rows: 0, accepted: 0, duplicates: 0, invalid: 0, failed: 0, error: 'the file is empty (0 bytes)' });
    expect(formatSummaryLine(summary)).toBe('orders.csv: refused: the file is empty (0 bytes)');
  });

  it('gives the counts, then why the rest was not read, for a file read in part', () => {
    const error = 'a quoted field after line 4000 is never closed; the rest of the file was not read';
    const summary = buildSummary({ ...BASE, rows: 3999, accepted: 3999, duplicates: 0, invalid: 0, failed: 0, error });
    expect(formatSummaryLine(summary)).toBe(`orders.csv: 3,999 rows in 8.3 s: 3,999 ordered (100.0%); read in part: ${error}`);
  });
});
