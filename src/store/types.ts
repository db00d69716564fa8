import type { ProviderStatus } from '../provider/types.js';

/**
 * The life of an input file:
 * `reading` (rows being recorded chunk by chunk, and full batches already sent; a read that
 *   stops half-way resumes after its last stored row, or starts again if nothing was sent) ->
 * `submitting` (every row stored, the last batches planned; the inbox copy is no longer read) ->
 * `reporting` (every batch settled; the processed/ names are chosen and recorded) ->
 * `done` (report written, original moved). A file refused whole goes the same way with its
 * `error` set and no rows.
 */
export type FileState = 'reading' | 'submitting' | 'reporting' | 'done';

/**
 * The life of a row (design.md, "States of a row"):
 * `invalid` | `duplicate` | `queued` at intake; `queued -> sending` when an attempt is recorded;
 * `sending -> ordered | duplicate | failed | unknown | invalid` from the reply;
 * `failed -> queued` (retry); `unknown -> sending` (resubmitted: a repeat refused as a duplicate
 * becomes `recovering`: the provider holds an order for it, and the ids issued around the lost
 * call are searched for it); `recovering -> ordered` (its order found) `| unconfirmed` (not found
 * in time); `unknown | recovering -> ordered` also when a search finds the order first.
 * `ordered` carries the provider's status in `orders`.
 */
export type RowState =
  | 'invalid'
  | 'duplicate'
  | 'queued'
  | 'sending'
  | 'ordered'
  | 'failed'
  | 'unknown'
  | 'recovering'
  | 'unconfirmed';

/** How many IMEIs a `placeorder` call carries (`submission.batching`). */
export type BatchingMode = 'auto' | 'batch' | 'single';

/** `planned -> sending -> planned` (another attempt) `| settled`. */
export type BatchState = 'planned' | 'sending' | 'settled';

/** How an attempt ended; `null` while its call is in flight. */
export type AttemptOutcome = 'replied' | 'safe' | 'unknown' | 'permanent' | 'interrupted';

export interface FileRecord {
  id: number;
  inboxPath: string;
  sha256: string | null;
  size: number | null;
  folderServiceId: string | null;
  state: FileState;
  error: string | null;
  repeatOf: number | null;
  processedStem: string | null;
  rowsTotal: number;
  apiCalls: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface BatchRecord {
  id: number;
  fileId: number;
  serviceId: string;
  state: BatchState;
  attempts: number;
  /** ISO time it was planned. */
  createdAt: string;
}

/** One row as the report needs it: the row joined with its order and service. */
export interface ReportSourceRow {
  line: number;
  rawImei: string;
  imei: string | null;
  serviceId: string;
  state: RowState;
  note: string;
  orderId: string | null;
  unknownSince: string | null;
  orderStatus: ProviderStatus | null;
  orderCode: string | null;
  requestedAt: string | null;
  placedAt: string | null;
  serviceTitle: string | null;
  servicePrice: string | null;
  /** An `unknown` row still being resolved (a resubmission planned or due); false once given up. */
  stillChecking?: boolean;
}
