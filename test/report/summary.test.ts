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
  it('has the contract keys in the contract order, then the rate alerts use', () => {
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
      'orderSuccessRate',
    ]);
  });

  it('judges orders on the rows the daemon was asked to order: Duplicate and Invalid do not count', () => {
    // A file of phones ordered before: 0% accepted, nothing failed.
    const known = buildSummary({ ...base, rows: 4, accepted: 0, duplicates: 4 });
    expect(known).toMatchObject({ successRate: 0, orderSuccessRate: 1 });
    // A re-drop of one known IMEI plus one new one: the new one ordered.
    expect(buildSummary({ ...base, rows: 2, accepted: 1, duplicates: 1 })).toMatchObject({ successRate: 0.5, orderSuccessRate: 1 });
    // Failed, Unconfirmed and Unknown are failures; rows still being checked are not.
    const mixed = buildSummary({ ...base, rows: 12, accepted: 4, duplicates: 1, invalid: 1, failed: 2, unconfirmed: 1, unknown: 1, checking: 2 });
    expect(mixed.orderSuccessRate).toBe(0.6);
    expect(buildSummary({ ...base, rows: 3, accepted: 0, invalid: 3 }).orderSuccessRate).toBe(1);
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
