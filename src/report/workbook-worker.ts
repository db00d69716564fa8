/**
 * The daemon's workbook thread: writes report workbooks (`InThreadWorkbook`, here) from rows of
 * cells the main thread posts, a batch at a time, acknowledging each batch so the main thread
 * never runs far ahead. Several workbooks may be open at once (a draft and another file's
 * report); every message names its workbook. Started by `WorkbookThread`.
 */
import { parentPort } from 'node:worker_threads';
import { describeError } from '../errors.js';
import type { FromWorkbookThread, ToWorkbookThread } from './workbook-protocol.js';
import { InThreadWorkbook } from './workbook-sink.js';

const port = parentPort;
if (!port) throw new Error('workbook-worker.js runs as a worker thread');

/** Open workbooks; each one's messages are handled in order, one after the other. */
const books = new Map<number, { book: Promise<InThreadWorkbook>; queue: Promise<void>; failed: boolean }>();

function post(message: FromWorkbookThread): void {
  port?.postMessage(message);
}

/** Runs `step` after the workbook's earlier steps; the first failure fails the workbook. */
function then(id: number, step: (book: InThreadWorkbook) => Promise<FromWorkbookThread | undefined>): void {
  const entry = books.get(id);
  if (!entry) return;
  entry.queue = entry.queue.then(async () => {
    if (entry.failed) return;
    try {
      const reply = await step(await entry.book);
      if (reply) post(reply);
    } catch (error) {
      entry.failed = true;
      post({ kind: 'failed', id, message: describeError(error) });
    }
  });
}

port.on('message', (message: ToWorkbookThread) => {
  switch (message.kind) {
    case 'open': {
      const book = InThreadWorkbook.open(message.path, message.layout);
      // A failure to open shows at the first step that needs the workbook.
      book.catch(() => undefined);
      books.set(message.id, { book, queue: Promise.resolve(), failed: false });
      return;
    }
    case 'rows':
      then(message.id, async (book) => {
        for (const cells of message.rows) {
          const full = book.addRow(cells);
          if (full) await full;
        }
        return { kind: 'taken', id: message.id };
      });
      return;
    case 'finish':
      then(message.id, async (book) => {
        await book.finish();
        books.delete(message.id);
        return { kind: 'finished', id: message.id };
      });
      return;
    case 'abandon': {
      const entry = books.get(message.id);
      books.delete(message.id);
      void entry?.queue.then(async () => {
        const book = await entry.book.catch(() => undefined);
        await book?.abandon();
        post({ kind: 'abandoned', id: message.id });
      });
      return;
    }
  }
});
