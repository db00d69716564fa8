import type { PartialPlacement, PlaceOrderResult } from '../provider/types.js';
import type { AccountTransitions } from './account-transitions.js';
import type { BatchStatements } from './batch-statements.js';
import type { AttemptTicket } from './batch-transitions.js';
import type { OrderPlacement } from './order-placement.js';
import { recoveringNote, RECOVERY_WINDOW_MS } from './recovery-notes.js';
import type { SettleTransitions } from './settle-transitions.js';

/** What one reply (or the settled part of a call cut short) did to the rows of one batch. */
export interface OutcomeCounts {
  ordered: number;
  duplicates: number;
  /** Resubmissions refused as repeats: the lost call ordered them; their order ids are searched. */
  recovering: number;
  rejected: number;
  /** Refused for good with the provider's text (DHRU): Failed, not retried on a timer. */
  refused: number;
}

type SendingRow = { id: number; unknownSince: string | null };

/**
 * Moves the rows of a call to what the provider answered for each IMEI, inside the caller's
 * transaction: the lists of a reply (ordered, duplicate, invalid, refused for good), and, for a
 * call that stopped part way (`details.partial`), the IMEIs held back or not sent (back to wait)
 * and those whose fate is unknown. Shared by replies and failures, so a call cut short records
 * what it settled exactly as a reply would.
 */
export class ReplyOutcomes {
  constructor(
    private readonly statements: () => BatchStatements,
    private readonly placement: OrderPlacement,
    private readonly accounts: AccountTransitions,
    private readonly settling: SettleTransitions,
  ) {}

  /** The lists of `result` for the rows of this ticket's batch still `sending`. */
  apply(ticket: AttemptTicket, result: PlaceOrderResult, now: string): OutcomeCounts {
    const sql = this.statements();
    const counts: OutcomeCounts = { ordered: 0, duplicates: 0, recovering: 0, rejected: 0, refused: 0 };
    // One read of the batch's rows, then updates by primary key: no index lookup per IMEI.
    const sending = new Map<string, SendingRow>();
    for (const row of sql.sendingRows.all(ticket.batchId) as (SendingRow & { imei: string })[]) sending.set(row.imei, row);
    const take = (imei: string): SendingRow | undefined => {
      const row = sending.get(imei);
      sending.delete(imei);
      return row;
    };
    for (const placed of result.placed) {
      const row = take(placed.imei);
      if (row && this.placement.placeOrderRow(ticket, row.id, placed, '', now)) counts.ordered += 1;
    }
    const orderIds = result.placed.map((placed) => placed.orderId);
    this.accounts.noteOrderIds(orderIds);
    this.settling.noteCeiling(ticket.startedAt, orderIds);
    for (const imei of result.duplicates) {
      const row = take(imei);
      if (!row) continue;
      if (row.unknownSince) {
        const until = new Date(Date.parse(now) + RECOVERY_WINDOW_MS).toISOString();
        sql.markRecovering.run(recoveringNote(row.unknownSince), until, now, row.id);
        counts.recovering += 1;
      } else {
        const note = `the provider already holds an order for this IMEI on service ${ticket.serviceId} (refused as a repeat, not charged)`;
        sql.settleRow.run('duplicate', note, now, row.id);
        counts.duplicates += 1;
      }
    }
    for (const imei of result.rejected) {
      const row = take(imei);
      if (!row) continue;
      sql.settleRow.run('invalid', 'the provider refused this IMEI as malformed (not ordered, not charged)', now, row.id);
      counts.rejected += 1;
    }
    for (const refusal of result.refused ?? []) {
      const row = take(refusal.imei);
      if (!row) continue;
      sql.refuseRow.run(refusal.message, `the provider refused the order (not charged): ${refusal.message}`, now, row.id);
      counts.refused += 1;
    }
    return counts;
  }

  /**
   * The rest of a call that stopped part way: IMEIs held back for an account-level reason or
   * never sent wait again (`queued`, or `unknown` if an earlier lost call may hold them); IMEIs
   * sent without an answer become `unknown`. IMEIs in no list keep `sending` for the caller.
   */
  applyUnsettled(ticket: AttemptTicket, partial: PartialPlacement, reason: string, now: string): void {
    const sql = this.statements();
    for (const imei of [...partial.heldBack, ...partial.notSent]) sql.requeueImei.run(reason, now, ticket.batchId, imei);
    for (const imei of partial.unknown) {
      sql.unknownImei.run(ticket.startedAt, ticket.floorOrderId, reason, now, ticket.batchId, imei);
    }
  }
}
