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
 * becomes `unconfirmed`). `ordered` carries the provider's status in `orders`.
 */
export type RowState =
  | 'invalid'
  | 'duplicate'
  | 'queued'
  | 'sending'
  | 'ordered'
  | 'failed'
  | 'unknown'
  | 'unconfirmed';

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
}
