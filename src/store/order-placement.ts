import type { PlacedOrder } from '../provider/types.js';
import type { AccountTransitions } from './account-transitions.js';
import type { BatchStatements } from './batch-statements.js';
import type { AttemptTicket } from './batch-transitions.js';
import type { Db } from './db.js';

/**
 * How rows of a call get their orders, and how a list the server will not take whole is cut up:
 * the parts of BatchTransitions that reply recording and failure recording share. Runs inside
 * the caller's transaction.
 */
export class OrderPlacement {
  constructor(
    private readonly db: Db,
    private readonly statements: () => BatchStatements,
    private readonly accounts: AccountTransitions,
  ) {}

  /**
   * `sending -> ordered` with its order, inside the caller's transaction. An order id this
   * account already gave for another IMEI or service is not trusted: the row becomes unknown
   * (resubmitted, never tied to someone else's order) and false is returned.
   */
  placeOrderRow(ticket: AttemptTicket, rowId: number, placed: PlacedOrder, note: string, now: string): boolean {
    const sql = this.statements();
    const accountId = this.accounts.currentId;
    // The insert checks the id once; only an id already held is read back, to tell our own order
    // recorded again from another IMEI's order.
    const inserted = sql.insertOrder.run(accountId, placed.orderId, placed.imei, ticket.serviceId, placed.status, now).changes === 1;
    const held = inserted ? undefined : (sql.heldOrder.get(accountId, placed.orderId) as { imei: string; serviceId: string });
    if (held !== undefined && (held.imei !== placed.imei || held.serviceId !== ticket.serviceId)) {
      const error = `the provider answered with order ${placed.orderId}, which it had already given for another IMEI`;
      this.db
        .prepare(
          `UPDATE rows SET state = 'unknown', unknown_since = COALESCE(unknown_since, ?), id_floor = COALESCE(id_floor, ?),
                  last_error = ?, updated_at = ? WHERE id = ?`,
        )
        .run(ticket.startedAt, ticket.floorOrderId, error, now, rowId);
      return false;
    }
    sql.markOrdered.run(placed.orderId, note, now, rowId);
    return true;
  }

  /** Orders a cut-off reply carried whole: their rows are ordered like any reply's. */
  recordSalvage(ticket: AttemptTicket, salvaged: readonly PlacedOrder[], now: string): void {
    if (salvaged.length === 0) return;
    const sending = new Map<string, number>();
    for (const row of this.statements().sendingRows.all(ticket.batchId) as { id: number; imei: string }[]) {
      sending.set(row.imei, row.id);
    }
    const note = 'its order id was read from a reply that was cut off';
    for (const placed of salvaged) {
      const rowId = sending.get(placed.imei);
      sending.delete(placed.imei);
      if (rowId !== undefined) this.placeOrderRow(ticket, rowId, placed, note, now);
    }
    this.accounts.noteOrderIds(salvaged.map((placed) => placed.orderId));
  }

  /** Each row into a planned batch of its own (same file and service), oldest first. */
  moveToSingleBatches(batch: { fileId: number; serviceId: string }, rowIds: readonly number[], now: string): void {
    const sql = this.statements();
    for (const rowId of rowIds) {
      const single = Number(sql.insertBatch.run(batch.fileId, batch.serviceId, now, now).lastInsertRowid);
      sql.moveRow.run(single, rowId);
    }
  }
}
