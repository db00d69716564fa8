import type { AccountTransitions } from './account-transitions.js';
import type { Db } from './db.js';
import { noteDateTimeSql } from '../timestamps.js';
import { planBatches } from './plan-batches.js';
import type { SettleTransitions } from './settle-transitions.js';

export interface RequeueOutcome {
  /** Failed rows sent again, and unknown rows resubmitted to confirm. */
  requeued: number;
  /** Rows past `retry.maxAgeHours`: no further tries, the note says so. */
  givenUp: number;
  batches: number;
  /** Files whose rows changed: their reports are stale. */
  fileIds: number[];
}

/**
 * Transitions of the scheduled retry: `failed -> queued`, and `unknown` rows planned again for
 * resubmission, in new batches. A row waits with `next_attempt_at`, so the schedule only has to
 * trigger a check, and a daemon restarted after a long stop retries at once what is due.
 */
export class RetryTransitions {
  constructor(
    private readonly db: Db,
    private readonly accounts: AccountTransitions,
    /** Where the server may charge a repeat, unknown rows are settled there and never requeued here. */
    private readonly settling?: SettleTransitions,
  ) {}

  /**
   * Plans every due row again (all waiting rows when `force`, as `retry` on the command line
   * does); rows whose file arrived more than `maxAgeHours` ago are given up instead. With
   * `unknownOnly`, only rows whose call outcome is unknown: they are checked every few seconds,
   * not on the schedule. An unknown row sent through another account is left alone: resending it
   * here could order it twice.
   */
  requeueDue(now: string, maxAgeHours: number, batchSize: number, force: boolean, unknownOnly = false): RequeueOutcome {
    if (unknownOnly && this.settling?.resendsUnknown === false) return { requeued: 0, givenUp: 0, batches: 0, fileIds: [] };
    const withUnknown = this.settling?.resendsUnknown !== false;
    return this.db.transaction((): RequeueOutcome => {
      const account = `(r.state = 'failed' OR r.account_id IS NULL OR r.account_id = ${this.accounts.currentId})`;
      const states = unknownOnly ? `r.state = 'unknown'` : withUnknown ? `r.state IN ('failed', 'unknown')` : `r.state = 'failed'`;
      const due =
        (force ? `r.next_attempt_at IS NOT NULL` : `r.next_attempt_at IS NOT NULL AND r.next_attempt_at <= @now`) +
        ` AND ${account}`;
      const cutoff = new Date(Date.parse(now) - maxAgeHours * 3_600_000).toISOString();
      // RETURNING names the file of each row given up: their reports must say so.
      const givenUpFailed = unknownOnly
        ? []
        : (this.db
        .prepare(
          `UPDATE rows AS r SET next_attempt_at = NULL, updated_at = @now,
                  note = 'not ordered: ' || COALESCE(r.last_error, 'no reply') || '; given up after ' || @hours ||
                         ' h of retries (retry.maxAgeHours): to try again, drop these IMEIs in a new file'
             FROM files AS f
            WHERE f.id = r.file_id AND r.state = 'failed' AND ${due} AND f.created_at <= @cutoff
           RETURNING file_id`,
        )
        .pluck()
        .all({ now, cutoff, hours: String(maxAgeHours) }) as number[]);
      const givenUpUnknown = !withUnknown ? [] : (this.db
        .prepare(
          `UPDATE rows AS r SET next_attempt_at = NULL, updated_at = @now,
                  note = 'sent at ' || ${noteDateTimeSql('r.unknown_since')} ||
                         ' in a call whose reply never arrived, and no resubmission got an answer in ' || @hours ||
                         ' h: the daemon stopped asking; check the provider''s order history for this IMEI before ordering it again'
             FROM files AS f
            WHERE f.id = r.file_id AND r.state = 'unknown' AND ${due} AND f.created_at <= @cutoff
           RETURNING file_id`,
        )
        .pluck()
        .all({ now, cutoff, hours: String(maxAgeHours) }) as number[]);
      const fileIds = this.db
        .prepare(`SELECT DISTINCT r.file_id FROM rows AS r WHERE ${states} AND ${due}`)
        .pluck()
        .all({ now }) as number[];
      const requeued = this.db
        .prepare(
          `UPDATE rows AS r SET state = CASE r.state WHEN 'failed' THEN 'queued' ELSE 'unknown' END,
                  batch_id = NULL, next_attempt_at = NULL, updated_at = @now
            WHERE ${states} AND ${due}`,
        )
        .run({ now }).changes;
      let batches = 0;
      for (const fileId of fileIds) batches += planBatches(this.db, fileId, batchSize, now);
      const touched = new Set([...fileIds, ...givenUpFailed, ...givenUpUnknown]);
      const markDirty = this.db.prepare('UPDATE files SET report_dirty = report_dirty + 1, outside_changes = outside_changes + 1 WHERE id = ?');
      for (const id of touched) markDirty.run(id);
      return { requeued, givenUp: givenUpFailed.length + givenUpUnknown.length, batches, fileIds: [...touched] };
    })();
  }

  /**
   * Rows waiting for the retry job, and when the earliest is due. Rows being settled from the
   * order ids (a server that may charge a repeat: `call_over_at` set) wait for no retry.
   */
  waiting(): { rows: number; earliest: string | null } {
    return this.db
      .prepare(
        `SELECT COUNT(*) AS rows, MIN(next_attempt_at) AS earliest FROM rows
          WHERE state IN ('failed', 'unknown') AND next_attempt_at IS NOT NULL AND NOT (state = 'unknown' AND call_over_at IS NOT NULL)`,
      )
      .get() as { rows: number; earliest: string | null };
  }
}
