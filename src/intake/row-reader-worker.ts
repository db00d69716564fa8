/**
 * The daemon's reader thread: reads, parses and checks input files (`readDecidedChunks`) and
 * posts their rows a chunk at a time, at most CHUNKS_AHEAD ahead of the daemon, so a big file
 * never piles up in memory. Started by `WorkerRowReader`.
 */
import { parentPort } from 'node:worker_threads';
import { FileRejectedError, describeError } from '../errors.js';
import { readDecidedChunks, type ChunkReadOptions } from './decided-chunks.js';
import { CHUNKS_AHEAD, type FromReader, type ReaderFailure, type ToReader } from './reader-protocol.js';

interface ReadState {
  credit: number;
  cancelled: boolean;
  wake: (() => void) | undefined;
}

const port = parentPort;
if (!port) throw new Error('row-reader-worker.js runs as a worker thread');

const reads = new Map<number, ReadState>();

function post(message: FromReader): void {
  port?.postMessage(message);
}

function failureOf(error: unknown): ReaderFailure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return { rejected: error instanceof FileRejectedError, message: describeError(error), code: typeof code === 'string' ? code : undefined };
}

async function runRead(readId: number, path: string, options: ChunkReadOptions): Promise<void> {
  const state: ReadState = { credit: CHUNKS_AHEAD, cancelled: false, wake: undefined };
  reads.set(readId, state);
  try {
    const onInputColumns = (names: string[]): void => post({ kind: 'columns', readId, names });
    for await (const rows of readDecidedChunks(path, options, { onInputColumns })) {
      if (state.cancelled) return;
      post({ kind: 'rows', readId, rows });
      state.credit -= 1;
      while (state.credit <= 0 && !state.cancelled) {
        await new Promise<void>((resolve) => {
          state.wake = resolve;
        });
      }
      if (state.cancelled) return;
    }
    post({ kind: 'end', readId });
  } catch (error) {
    if (!state.cancelled) post({ kind: 'error', readId, failure: failureOf(error) });
  } finally {
    reads.delete(readId);
  }
}

port.on('message', (message: ToReader) => {
  if (message.kind === 'read') {
    void runRead(message.readId, message.path, message.options);
    return;
  }
  const state = reads.get(message.readId);
  if (!state) return;
  if (message.kind === 'more') state.credit += 1;
  else state.cancelled = true;
  const wake = state.wake;
  state.wake = undefined;
  wake?.();
});
