import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/db.js';
import { reportSourceRows, type EarlierRowSource } from '../../src/store/report-queries.js';
import { ReportTally } from '../../src/store/report-tally.js';
import { BIG_FILE, EARLIER_FILE, RICH_FILE, buildRichStore } from '../report/rich-store.js';

/**
 * The queries as they were before they were rewritten for speed (one object per row with the
 * services joined in; counts in one pass joining orders and batches to every row), kept as the
 * oracle the new ones must agree with on every kind of row. The counts are now tallied while
 * the report reads the rows (ReportTally).
 */
const REFERENCE_ROWS = `
  SELECT r.id, r.file_id AS fileId, r.line, r.raw_imei AS rawImei, r.imei, r.service_id AS serviceId, r.state, r.note,
         r.order_id AS orderId, r.unknown_since AS unknownSince, r.duplicate_of AS duplicateOf,
         o.status AS orderStatus, o.code AS orderCode, o.requested_at AS requestedAt, o.placed_at AS placedAt,
         o.note AS orderNote, s.title AS serviceTitle, s.price AS servicePrice,
         r.state = 'unknown' AND (r.next_attempt_at IS NOT NULL OR COALESCE(b.state, 'settled') <> 'settled') AS stillChecking
    FROM rows AS r LEFT JOIN orders AS o ON o.order_id = r.order_id LEFT JOIN services AS s ON s.id = r.service_id
    LEFT JOIN batches AS b ON b.id = r.batch_id
   WHERE r.file_id = ? ORDER BY r.id`;

const REFERENCE_EARLIER = `
  SELECT e.file_id AS fileId, f.inbox_path AS file, e.line, e.state, e.order_id AS orderId,
         o.status AS orderStatus, o.code AS orderCode, o.note AS orderNote
    FROM rows AS d
    JOIN rows AS e ON e.id = CASE WHEN d.state = 'duplicate' AND d.duplicate_of IS NOT NULL THEN d.duplicate_of ELSE d.id END
    JOIN files AS f ON f.id = e.file_id
    LEFT JOIN orders AS o ON o.order_id = e.order_id
   WHERE d.id = ?`;

const REFERENCE_COUNTS = `
  SELECT COUNT(*) AS rows,
         COALESCE(SUM(r.state = 'ordered'), 0) AS accepted,
         COALESCE(SUM(r.state = 'duplicate'), 0) AS duplicates,
         COALESCE(SUM(r.state = 'invalid'), 0) AS invalid,
         COALESCE(SUM(r.state = 'failed'), 0) AS failed,
         COALESCE(SUM(r.state = 'unconfirmed'), 0) AS unconfirmed,
         COALESCE(SUM(r.state = 'recovering'
                      OR (r.state = 'unknown' AND (r.next_attempt_at IS NOT NULL OR b.state <> 'settled'))), 0) AS checking,
         COALESCE(SUM(r.state = 'unknown' AND r.next_attempt_at IS NULL AND COALESCE(b.state, 'settled') = 'settled'), 0) AS unknown,
         COALESCE(SUM(r.state IN ('queued', 'sending', 'recovering')
                      OR (r.state = 'unknown' AND (r.next_attempt_at IS NOT NULL OR b.state <> 'settled'))
                      OR (r.state = 'failed' AND r.next_attempt_at IS NOT NULL)
                      OR (r.state = 'ordered' AND COALESCE(o.final, 0) = 0)), 0) AS pending
    FROM rows AS r LEFT JOIN orders AS o ON o.order_id = r.order_id
    LEFT JOIN batches AS b ON b.id = r.batch_id
   WHERE r.file_id = ?`;

interface ReferenceRow {
  id: number;
  state: string;
  duplicateOf: number | null;
  [column: string]: unknown;
}

function referenceRows(db: Db, fileId: number): Record<string, unknown>[] {
  const earlier = db.prepare(REFERENCE_EARLIER);
  return (db.prepare(REFERENCE_ROWS).all(fileId) as ReferenceRow[]).map(({ id: _id, duplicateOf, ...row }) => ({
    ...row,
    stillChecking: row.stillChecking === 1,
    earlier:
      row.state === 'duplicate' && duplicateOf !== null
        ? ((earlier.get(duplicateOf) as EarlierRowSource | undefined) ?? null)
        : null,
  }));
}

describe('report queries', () => {
  let dir: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imei-report-queries-'));
    db = openDatabase(join(dir, 'd.sqlite'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe.each([
    ['a filled service catalogue', true],
    ['an empty service catalogue', false],
  ])('with %s', (_name, withCatalogue) => {
    it.each([EARLIER_FILE, RICH_FILE, BIG_FILE])('read file %i as the one-object-per-row query did', (fileId) => {
      buildRichStore(db, withCatalogue);
      const rows = [...reportSourceRows(db, fileId)];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows).toEqual(referenceRows(db, fileId));
    });

    it.each([EARLIER_FILE, RICH_FILE, BIG_FILE])('tally file %i as the one-pass query counted it', (fileId) => {
      buildRichStore(db, withCatalogue);
      // One more unknown row in a batch still being tried than in a settled one: a tally that
      // confused the two would then count one pending row too many or too few.
      db.prepare(
        `INSERT INTO rows (file_id, line, raw_imei, imei, service_id, state, batch_id, unknown_since, updated_at)
         SELECT file_id, 9999, raw_imei, imei, service_id, 'unknown', id, '2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z'
           FROM (SELECT b.file_id, b.id, r.raw_imei, r.imei, r.service_id FROM batches AS b JOIN rows AS r ON r.file_id = b.file_id
                  WHERE b.file_id = ? AND b.state = 'sending' LIMIT 1)`,
      ).run(fileId);
      const tally = new ReportTally();
      for (const _row of reportSourceRows(db, fileId, tally));
      expect(tally.counts).toEqual(db.prepare(REFERENCE_COUNTS).get(fileId));
      const services = db.prepare('SELECT DISTINCT service_id FROM rows WHERE file_id = ? ORDER BY service_id').pluck().all(fileId);
      expect(tally.services()).toEqual(services);
    });
  });

  it('count a file without rows as zeros', () => {
    const tally = new ReportTally();
    expect([...reportSourceRows(db, 42, tally)]).toEqual([]);
    expect(tally.counts).toEqual({
      rows: 0,
      accepted: 0,
      duplicates: 0,
      invalid: 0,
      failed: 0,
      unconfirmed: 0,
      checking: 0,
      unknown: 0,
      pending: 0,
    });
    expect(tally.services()).toEqual([]);
  });
});
