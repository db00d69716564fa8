import type { PlaceOrderResult } from '../provider/types.js';
import type { AttemptTicket, ReplyCounts } from '../store/batch-transitions.js';
import type { Store } from '../store/store.js';
import { GroupCommit } from './group-commit.js';

interface Reply {
  ticket: AttemptTicket;
  result: PlaceOrderResult;
}

/** Replies per commit: enough to share most of the page writes, few enough to keep each short. */
const MAX_GROUP = 5;

/**
 * Records `placeorder` replies that arrive together in one transaction (group commit); sharing
 * the commit saves most of the page writes, which were a third of the daemon's own time per call.
 */
export class ReplyRecorder {
  private readonly commits: GroupCommit<Reply, ReplyCounts>;

  constructor(store: Store) {
    this.commits = new GroupCommit({
      writeGroup: (replies, now) => store.batches.recordReplies(replies, now),
      writeOne: (reply, now) => store.batches.recordReply(reply.ticket, reply.result, now),
      // Replies that arrived in this I/O phase join one commit, one turn later: the calls these
      // replies made room for are written by undici from an immediate of its own (it checks a
      // reused keep-alive socket first), and they should not wait for the commit. At most
      // MAX_GROUP per commit, then a yield: a reply's commit can wait, but a reply waiting
      // behind it to be read holds back the next call on its slot.
      schedule: (flush) => setImmediate(() => setImmediate(flush)),
      maxGroup: MAX_GROUP,
    });
  }

  /** Resolves once the reply is committed. */
  record(ticket: AttemptTicket, result: PlaceOrderResult): Promise<ReplyCounts> {
    return this.commits.write({ ticket, result });
  }
}
