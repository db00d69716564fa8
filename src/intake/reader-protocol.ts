/**
 * Messages between the daemon and its reader thread (see worker-row-reader.ts). One read at a
 * time; every message names its read, so a late message of a cancelled read is told apart.
 */
import type { NewRow } from '../store/intake-transitions.js';
import type { ChunkReadOptions } from './decided-chunks.js';

export type ToReader =
  | { kind: 'read'; readId: number; path: string; options: ChunkReadOptions }
  /** The daemon took one chunk: the reader may run one further ahead. */
  | { kind: 'more'; readId: number }
  | { kind: 'cancel'; readId: number };

/** An error as it can cross threads: the class is named, the message and errno code kept. */
export interface ReaderFailure {
  rejected: boolean;
  message: string;
  code?: string | undefined;
}

export type FromReader =
  /** The input's other columns, before the first rows (see `ReadEvents`). */
  | { kind: 'columns'; readId: number; names: string[] }
  | { kind: 'rows'; readId: number; rows: NewRow[] }
  | { kind: 'end'; readId: number }
  | { kind: 'error'; readId: number; failure: ReaderFailure };

/** Chunks the reader may have sent and the daemon not yet taken. */
export const CHUNKS_AHEAD = 4;
