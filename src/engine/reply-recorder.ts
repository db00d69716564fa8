import type { PlaceOrderResult } from '../provider/types.js';
import type { AttemptTicket, ReplyCounts } from '../store/batch-transitions.js';
import type { Store } from '../store/store.js';

interface PendingReply {
  ticket: AttemptTicket;
  result: PlaceOrderResult;
  resolve: (counts: ReplyCounts) => void;
  reject: (error: unknown) => void;
}

/** Replies per commit: enough to share most of the page writes, few enough to keep each short. */
const MAX_GROUP = 5;

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
      this.scheduleFlush();
    });
  }

  /**
   * Replies that arrived in this I/O phase join one commit, one turn later: the calls these
   * replies made room for are written by undici from an immediate of its own (it checks a
   * reused keep-alive socket first), and they should not wait for the commit.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => setImmediate(() => this.flush()));
  }

  /**
   * Commits at most MAX_GROUP replies, then yields before the next group: a reply's commit
   * can wait, but a reply waiting behind it to be read holds back the next call on its slot.
   */
  private flush(): void {
    this.flushScheduled = false;
    const group = this.pending.splice(0, MAX_GROUP);
    if (this.pending.length > 0) this.scheduleFlush();
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
