import { describe, expect, it } from 'vitest';
import { buildSummary, type SummaryInput } from '../../src/report/index.js';

const base: SummaryInput = {
  file: 'batch.csv',
  service: '1739',
  rows: 3,
  accepted: 2,
  duplicates: 1,
  invalid: 0,
  failed: 0,
  unconfirmed: 0,
  apiCalls: 1,
  startedAt: '2024-05-01T10:00:00.000Z',
  finishedAt: '2024-05-01T10:00:01.500Z',
  final: true,
  simulated: true,
};

describe('buildSummary', () => {
  it('has exactly the contract keys, in the contract order', () => {
    expect(Object.keys(buildSummary(base))).toEqual([
      'file',
      'service',
      'rows',
      'accepted',
      'duplicates',
      'invalid',
      'failed',
      'unconfirmed',
      'successRate',
      'apiCalls',
      'startedAt',
      'finishedAt',
      'durationMs',
      'final',
      'simulated',
    ]);
  });

  it('rounds the success rate to 4 decimals and derives the duration', () => {
    const summary = buildSummary(base);
    expect(summary.successRate).toBe(0.6667);
    expect(summary.durationMs).toBe(1500);
  });

  it('gives 0, not NaN, for a file without rows', () => {
    expect(buildSummary({ ...base, rows: 0, accepted: 0 }).successRate).toBe(0);
  });

  it('gives 1 when every row was accepted', () => {
    expect(buildSummary({ ...base, rows: 7, accepted: 7 }).successRate).toBe(1);
  });

  it('has no duration until the file is finished', () => {
    expect(buildSummary({ ...base, finishedAt: null, final: false }).durationMs).toBeNull();
    expect(buildSummary({ ...base, startedAt: null, finishedAt: null }).durationMs).toBeNull();
    expect(buildSummary({ ...base, finishedAt: 'not a date' }).durationMs).toBeNull();
  });

  it('writes error only when the whole file was rejected', () => {
    expect(buildSummary({ ...base, error: '' })).not.toHaveProperty('error');
    const rejected = buildSummary({ ...base, rows: 0, accepted: 0, error: 'no IMEI column' });
    expect(rejected.error).toBe('no IMEI column');
  });

  it('appends the optional additions after the contract keys', () => {
    const keys = Object.keys(buildSummary({ ...base, pending: 1, reportFile: 'batch.report.csv', repeatOf: 'old.report.csv' }));
    expect(keys.slice(-3)).toEqual(['pending', 'reportFile', 'repeatOf']);
  });
});
