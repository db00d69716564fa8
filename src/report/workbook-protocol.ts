/**
 * Messages between the daemon and its workbook thread (see workbook-thread.ts). Every message
 * names its workbook.
 */
import type { WorkbookLayout } from './workbook-sink.js';

export type ToWorkbookThread =
  | { kind: 'open'; id: number; path: string; layout: WorkbookLayout }
  | { kind: 'rows'; id: number; rows: string[][] }
  | { kind: 'finish'; id: number }
  | { kind: 'abandon'; id: number };

export type FromWorkbookThread =
  /** A batch of rows was written: the daemon may post another. */
  | { kind: 'taken'; id: number }
  /** Complete, synced and closed. */
  | { kind: 'finished'; id: number }
  | { kind: 'failed'; id: number; message: string }
  /** Closed unfinished, as asked. */
  | { kind: 'abandoned'; id: number };
