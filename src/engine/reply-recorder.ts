import type { PlaceOrderResult } from '../provider/types.js';
import type { AttemptTicket, ReplyCounts } from '../store/batch-transitions.js';
import type { Store } from '../store/store.js';

interface PendingReply {
  ticket: AttemptTicket;
  result: PlaceOrderResult;
  resolve: (counts: ReplyCounts) => void;
  reject: (error: unknown) => void;
}

/**
 * Records `placeorder` replies that arrive together in one transaction (group commit). Each
 * reply is still all-or-nothing (a savepoint inside the transaction), and its caller goes on only
 * once it is committed; sharing the commit saves most of the page writes, which were a third of
 * the daemon's own time per call.
 */
export class ReplyRecorder {
  private pending: PendingReply[] = [];
  private flushScheduled = false;

  constructor(private readonly store: Store) {}

  record(ticket: AttemptTicket, result: PlaceOrderResult): Promise<ReplyCounts> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ticket, result, resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      // Every reply that arrived in this I/O phase joins the commit. It runs one turn later:
      // the calls these replies made room for are written by undici from an immediate of its
      // own (it checks a reused keep-alive socket first), and a commit of 30 replies takes
      // tens of milliseconds that those calls should not wait for.
      setImmediate(() => setImmediate(() => this.flush()));
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const group = this.pending;
    this.pending = [];
    try {
      const counts = this.store.batches.recordReplies(group, new Date().toISOString());
      group.forEach((reply, index) => reply.resolve(counts[index] as ReplyCounts));
    } catch {
      // One bad reply must not hold the others' order ids back: record each on its own.
      for (const reply of group) {
        try {
          reply.resolve(this.store.batches.recordReply(reply.ticket, reply.result, new Date().toISOString()));
        } catch (error) {
          reply.reject(error);
        }
      }
    }
  }
}
