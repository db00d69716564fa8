/**
 * An input file as chunks of decided rows (valid and normalised, or invalid with the reason):
 * what intake stores, one transaction per chunk. The same generator runs on the main thread
 * (`inThreadRowReader`, for tests and tools) and in the daemon's reader thread
 * (`WorkerRowReader`), so both read a file alike.
 */
import type { NewRow } from '../store/intake-transitions.js';
import { decideRow } from './decide-row.js';
import { readInputRows, type FileLayout } from './read-rows.js';

export interface ChunkReadOptions {
  /** Files larger than this are refused unread (`limits.maxFileBytes`). */
  maxFileBytes: number;
  /** The service of rows whose file names none (the inbox subfolder's, else `defaultServiceId`). */
  fallbackServiceId: string;
  /** Rows starting on this line or before are skipped: a read picked up after a stop. 0 reads all. */
  afterLine: number;
  /** Rows per chunk. */
  rowsPerChunk: number;
}

/** What a read tells its caller besides the rows. */
export interface ReadEvents {
  /**
   * The input's columns other than the IMEI (customer, model...), by name, once the header is
   * read and before the first chunk; each row's `inputCells` line up with them.
   */
  onInputColumns?: (names: string[]) => void;
}

/** Reads input files as chunks of decided rows; one read at a time. */
export interface RowReader {
  /**
   * The file's rows, `rowsPerChunk` at a time. Throws `FileRejectedError` for a file refused
   * whole (before any chunk) or broken half-way (after the chunks before the break); other
   * errors (the file vanished, I/O) as they are. Leaving the loop early ends the read.
   */
  read(path: string, options: ChunkReadOptions, events?: ReadEvents): AsyncGenerator<NewRow[]>;
  /** Frees what the reader holds; safe to call twice. */
  close(): Promise<void>;
}

export async function* readDecidedChunks(
  path: string,
  options: ChunkReadOptions,
  events: ReadEvents = {},
): AsyncGenerator<NewRow[]> {
  let chunk: NewRow[] = [];
  const onLayout = (layout: FileLayout): void => events.onInputColumns?.(layout.inputColumns.map((column) => column.name));
  try {
    for await (const row of readInputRows(path, { maxFileBytes: options.maxFileBytes, onLayout })) {
      if (row.line <= options.afterLine) continue;
      chunk.push(decideRow(row.line, row.rawImei, row.serviceId, options.fallbackServiceId, row.inputCells));
      if (chunk.length >= options.rowsPerChunk) {
        yield chunk;
        chunk = [];
      }
    }
  } catch (error) {
    // Broken half-way: the rows before the break are good data; hand them over first.
    if (chunk.length > 0) yield chunk;
    throw error;
  }
  if (chunk.length > 0) yield chunk;
}

/** Reads on the calling thread. */
export const inThreadRowReader: RowReader = {
  read: readDecidedChunks,
  close: () => Promise.resolve(),
};
