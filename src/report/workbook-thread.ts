/**
 * Report workbooks written in a thread of their own. Building a workbook's XML took about three
 * times what the CSV line takes, on the thread that also records the provider's replies: at
 * 200,000 rows and no latency, 3 s more to the first report. Here the main thread only hands
 * over each row's cells, 500 rows to a message (about 1 µs a row), at most BATCHES_AHEAD
 * messages ahead of the thread. The thread starts with the first workbook and is kept while the
 * daemon runs, idle without holding the process open; if it dies, the workbooks it had fail (a
 * report is then written again, as after a disk error) and the next one starts a new thread.
 */
import { Worker } from 'node:worker_threads';
import type { FromWorkbookThread, ToWorkbookThread } from './workbook-protocol.js';
import type { WorkbookLayout, WorkbookSink, WorkbookSinks } from './workbook-sink.js';

export interface WorkbookThreadOptions {
  /** The worker's script. Default: workbook-worker.js beside this module (dist/report/). */
  workerUrl?: URL;
}

/** Rows per message: few enough to keep a message cheap, enough to keep messages few. */
const BATCH_ROWS = 500;
/** Messages posted and not yet written before `addRow` asks its caller to wait. */
const BATCHES_AHEAD = 4;

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

class ThreadedWorkbook implements WorkbookSink {
  private batch: string[][] = [];
  private unacknowledged = 0;
  private failure: Error | undefined;
  private done = false;
  /** Waiting for room (`addRow`), for the end (`finish`, `abandon`). */
  private roomWaiter: Waiter | undefined;
  private endWaiter: Waiter | undefined;

  constructor(
    readonly id: number,
    private readonly send: (message: ToWorkbookThread) => void,
    private readonly release: (id: number) => void,
  ) {}

  addRow(cells: readonly string[]): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    this.batch.push(cells as string[]);
    if (this.batch.length < BATCH_ROWS) return undefined;
    this.flush();
    if (this.unacknowledged < BATCHES_AHEAD) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.roomWaiter = { resolve, reject };
    });
  }

  finish(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.flush();
    const ended = new Promise<void>((resolve, reject) => {
      this.endWaiter = { resolve, reject };
    });
    this.send({ kind: 'finish', id: this.id });
    return ended;
  }

  abandon(): Promise<void> {
    if (this.done) return Promise.resolve();
    const ended = new Promise<void>((resolve) => {
      // Abandoning never fails: a thread that died has closed the file with itself.
      this.endWaiter = { resolve, reject: () => resolve() };
    });
    this.send({ kind: 'abandon', id: this.id });
    return ended;
  }

  /** A message from the thread about this workbook. */
  receive(message: FromWorkbookThread): void {
    switch (message.kind) {
      case 'taken': {
        this.unacknowledged -= 1;
        const waiter = this.roomWaiter;
        this.roomWaiter = undefined;
        waiter?.resolve();
        return;
      }
      case 'finished':
      case 'abandoned':
        this.end(undefined);
        return;
      case 'failed':
        this.fail(new Error(`cannot write the report workbook: ${message.message}`));
        return;
    }
  }

  /**
   * The thread failed this workbook, or died (`gone`: nothing more will come from it, so an
   * abandon has nothing to wait for).
   */
  fail(error: Error, gone = false): void {
    this.failure ??= error;
    if (gone) this.done = true;
    const waiter = this.roomWaiter;
    this.roomWaiter = undefined;
    waiter?.reject(this.failure);
    // A finish waiting fails; an abandon waiting is done (see `abandon`).
    if (this.endWaiter) this.end(this.failure);
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.send({ kind: 'rows', id: this.id, rows: this.batch });
    this.batch = [];
    this.unacknowledged += 1;
  }

  private end(error: Error | undefined): void {
    this.done = true;
    this.release(this.id);
    const waiter = this.endWaiter;
    this.endWaiter = undefined;
    if (error) waiter?.reject(error);
    else waiter?.resolve();
  }
}

export class WorkbookThread implements WorkbookSinks {
  private worker: Worker | undefined;
  private readonly workerUrl: URL;
  private readonly open_ = new Map<number, ThreadedWorkbook>();
  private nextId = 0;
  private closed = false;

  constructor(options: WorkbookThreadOptions = {}) {
    this.workerUrl = options.workerUrl ?? new URL('./workbook-worker.js', import.meta.url);
  }

  open(path: string, layout: WorkbookLayout): Promise<WorkbookSink> {
    if (this.closed) return Promise.reject(new Error('the workbook thread is closed'));
    const worker = this.ensureWorker();
    const id = ++this.nextId;
    const book = new ThreadedWorkbook(id, (message) => worker.postMessage(message), (done) => this.release(done));
    this.open_.set(id, book);
    // Held while a workbook is open: an idle thread never keeps the process alive, a busy one must.
    if (this.open_.size === 1) worker.ref();
    worker.postMessage({ kind: 'open', id, path, layout } satisfies ToWorkbookThread);
    return Promise.resolve(book);
  }

  /** Stops the thread; open workbooks fail. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private release(id: number): void {
    this.open_.delete(id);
    if (this.open_.size === 0) this.worker?.unref();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // A small young generation: the thread makes short-lived strings by the million, and left to
    // V8's defaults its heap grew by some 40 MB at 200,000 rows. A workbook that would need more
    // than the old generation allows fails alone; its CSV report is written all the same.
    const worker = new Worker(this.workerUrl, { resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 96 } });
    worker.unref();
    worker.on('message', (message: FromWorkbookThread) => this.open_.get(message.id)?.receive(message));
    worker.on('error', (error) => this.onStopped(worker, error.message));
    worker.on('exit', (code) => this.onStopped(worker, `exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  /** The thread died: its workbooks fail; the next workbook starts a new thread. */
  private onStopped(worker: Worker, reason: string): void {
    if (this.worker === worker) this.worker = undefined;
    const books = [...this.open_.values()];
    this.open_.clear();
    for (const book of books) book.fail(new Error(`the workbook thread stopped: ${reason}`), true);
  }
}
