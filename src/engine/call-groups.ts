import type { Store } from '../store/store.js';
import type { BatchRecord } from '../store/types.js';

export interface CallGroupOptions {
  /** IMEIs one call may carry (`submission.batchSize`). */
  batchSize: number;
  /** Whether another input file is being read now: its rows may soon fill a short batch. */
  filesBeingRead: () => boolean;
  /**
   * How long a short batch waits for company while files are being read (ms). Files dropped
   * together are read a few milliseconds apart; a lone file's last batch never waits. Default 300.
   */
  lingerMs?: number;
}

/**
 * Fills calls across files (issue 15): batches are cut per file, so 200 files of 50 IMEIs were
 * 200 calls where 100 do. A short batch is sent together with other planned batches of the same
 * service, in one call of up to `batchSize` IMEIs; each batch keeps its own attempt and rows,
 * so every file's report and summary stay exact. While files are still being read, a short
 * batch waits up to `lingerMs` for the next file's rows. Services the server orders one IMEI at
 * a time are never grouped.
 */
export class CallGroups {
  /** Short batches waiting for company, until when (epoch ms). */
  private readonly lingering = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly options: CallGroupOptions,
  ) {}

  /**
   * How long until the first lingering batch may go (ms); undefined when none lingers. A wait
   * already over is dropped here (0 once), so a batch that went in another's call meanwhile
   * does not keep the pump waking.
   */
  lingerEndsIn(now = Date.now()): number | undefined {
    let first: number | undefined;
    for (const [batchId, until] of this.lingering) {
      if (until <= now) {
        this.lingering.delete(batchId);
        first = now;
      } else {
        first = first === undefined ? until : Math.min(first, until);
      }
    }
    return first === undefined ? undefined : Math.max(0, first - now);
  }

  /** Batches the pump should pass over for now. */
  isLingering(batchId: number, now = Date.now()): boolean {
    const until = this.lingering.get(batchId);
    if (until === undefined) return false;
    if (until > now) return true;
    this.lingering.delete(batchId);
    return false;
  }

  /**
   * The batches to send in one call with `batch`, itself first; or the delay (ms) after which
   * to look at it again, while it waits for company.
   */
  groupFor(batch: BatchRecord, isTaken: (batchId: number, fileId: number) => boolean): BatchRecord[] | { waitMs: number } {
    const size = this.options.batchSize;
    const waiting = this.store.batches.rowsWaiting(batch.id);
    if (waiting >= size || waiting === 0 || this.store.batches.imeisPerCallFor(batch.serviceId) === 1) return [batch];
    const lingerMs = this.options.lingerMs ?? 300;
    const age = Date.now() - Date.parse(batch.createdAt);
    if (this.options.filesBeingRead() && age < lingerMs && !this.lingering.has(batch.id)) {
      this.lingering.set(batch.id, Date.now() + lingerMs - age);
      return { waitMs: lingerMs - age };
    }
    this.lingering.delete(batch.id);
    const group = [batch];
    let room = size - waiting;
    for (const other of this.store.batches.plannedOfService(batch.serviceId, batch.id)) {
      if (room <= 0) break;
      if (isTaken(other.id, other.fileId) || other.waiting === 0 || other.waiting > room) continue;
      group.push(other);
      room -= other.waiting;
      this.lingering.delete(other.id);
    }
    return group;
  }
}
