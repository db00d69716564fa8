/**
 * Reads input files in a thread of their own. Parsing and checking rows took about a fifth of
 * the main thread's time while a big file streamed into submission, and the main thread is
 * also the one that sends calls and records replies: every millisecond it spends on CSV is a
 * millisecond a reply waits. The thread is started once, with the daemon (starting one takes
 * about 70 ms), and reads one file at a time; rows come back a chunk at a time, at most
 * CHUNKS_AHEAD ahead of the daemon.
 */
import { Worker } from 'node:worker_threads';
import { FileRejectedError, ReaderStoppedError } from '../errors.js';
import type { NewRow } from '../store/intake-transitions.js';
import type { ChunkReadOptions, ReadEvents, RowReader } from './decided-chunks.js';
import type { FromReader, ReaderFailure, ToReader } from './reader-protocol.js';

export interface WorkerRowReaderOptions {
  /** The worker's script. Default: row-reader-worker.js beside this module (dist/intake/). */
  workerUrl?: URL;
}

type Delivery = FromReader | { kind: 'stopped'; reason: string };

function rebuildError(failure: ReaderFailure): Error {
  if (failure.rejected) return new FileRejectedError(failure.message);
  // Kept as an errno error: intake tells a file that vanished (ENOENT) from other failures.
  return Object.assign(new Error(failure.message), failure.code === undefined ? {} : { code: failure.code });
}

export class WorkerRowReader implements RowReader {
  private worker: Worker | undefined;
  private readonly workerUrl: URL;
  private nextReadId = 0;
  /** The read in progress, fed by the worker's messages. */
  private deliver: ((delivery: Delivery) => void) | undefined;
  private closed = false;

  constructor(options: WorkerRowReaderOptions = {}) {
    this.workerUrl = options.workerUrl ?? new URL('./row-reader-worker.js', import.meta.url);
  }

  /** Starts the thread now, so the first file does not wait for it. */
  start(): void {
    this.ensureWorker();
  }

  async *read(path: string, options: ChunkReadOptions, events: ReadEvents = {}): AsyncGenerator<NewRow[]> {
    if (this.closed) throw new ReaderStoppedError('the daemon is closing');
    const worker = this.ensureWorker();
    const readId = ++this.nextReadId;
    const inbox: Delivery[] = [];
    let wake: (() => void) | undefined;
    this.deliver = (delivery) => {
      if (delivery.kind !== 'stopped' && delivery.readId !== readId) return;
      inbox.push(delivery);
      wake?.();
    };
    let finished = false;
    // Held while a read is under way: an idle thread never keeps the process alive, a busy one must.
    worker.ref();
    this.send(worker, { kind: 'read', readId, path, options });
    try {
      for (;;) {
        while (inbox.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
        const delivery = inbox.shift() as Delivery;
        if (delivery.kind === 'columns') {
          events.onInputColumns?.(delivery.names);
          continue;
        }
        if (delivery.kind === 'rows') {
          this.send(worker, { kind: 'more', readId });
          yield delivery.rows;
          continue;
        }
        finished = true;
        if (delivery.kind === 'end') return;
        if (delivery.kind === 'error') throw rebuildError(delivery.failure);
        throw new ReaderStoppedError(delivery.reason);
      }
    } finally {
      worker.unref();
      this.deliver = undefined;
      // Left early (a stop, a store error): the thread drops the rest of this file.
      if (!finished) this.send(worker, { kind: 'cancel', readId });
    }
  }

  /** Stops the thread; a read in progress ends with ReaderStoppedError. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerUrl);
    // The daemon's exit never waits for an idle reader.
    worker.unref();
    worker.on('message', (message: FromReader) => this.deliver?.(message));
    worker.on('error', (error) => this.onStopped(worker, error.message));
    worker.on('exit', (exitCode) => this.onStopped(worker, `exit code ${exitCode}`));
    this.worker = worker;
    return worker;
  }

  /** The thread died: the read in progress fails (and is retried); the next read starts a new thread. */
  private onStopped(worker: Worker, reason: string): void {
    if (this.worker === worker) this.worker = undefined;
    this.deliver?.({ kind: 'stopped', reason: this.closed ? 'the daemon is closing' : reason });
  }

  private send(worker: Worker, message: ToReader): void {
    worker.postMessage(message);
  }
}
