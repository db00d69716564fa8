/**
 * Writes that arrive close together, committed in one transaction (group commit): with
 * `synchronous=FULL` every commit costs an fsync and the writing of the pages its writes share.
 * Each write is still all or nothing (a savepoint inside the transaction); if the group fails,
 * each is written on its own, so one the store refuses cannot hold the others back. A caller
 * goes on only once its write is committed.
 */
export interface GroupCommitOptions<Item, Result> {
  /** Writes all the items in one transaction; results in the same order. */
  writeGroup(items: readonly Item[], now: string): Result[];
  /** Writes one item in a transaction of its own (after its group failed). */
  writeOne(item: Item, now: string): Result;
  /** Runs `flush` when a group should be written: this decides what gathers into it. */
  schedule(flush: () => void): void;
  /** Items per transaction; the rest wait for the next flush. Default: no limit. */
  maxGroup?: number;
}

interface Pending<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<Item, Result> {
  private pending: Pending<Item, Result>[] = [];
  private flushScheduled = false;

  constructor(private readonly options: GroupCommitOptions<Item, Result>) {}

  /** Resolves with the item's result once it is committed. */
  write(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.options.schedule(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const group = this.pending.splice(0, this.options.maxGroup ?? this.pending.length);
    if (this.pending.length > 0) this.scheduleFlush();
    const now = new Date().toISOString();
    try {
      const results = this.options.writeGroup(
        group.map((pending) => pending.item),
        now,
      );
      group.forEach((pending, index) => pending.resolve(results[index] as Result));
    } catch {
      for (const pending of group) {
        try {
          pending.resolve(this.options.writeOne(pending.item, now));
        } catch (error) {
          pending.reject(error);
        }
      }
    }
  }
}
