/** Intake: reading dropped CSV/TXT files as a stream of rows, and IMEI validation. */
export { checkImei, isValidImei, looksLikeImei, luhnCheckDigit, type ImeiCheck } from './imei.js';
export {
  DEFAULT_MAX_FILE_BYTES,
  HEADERLESS_LOOKAHEAD_ROWS,
  formatSize,
  inspectFile,
  readInputRows,
  type FileLayout,
  type InputRow,
  type ReadRowsOptions,
} from './read-rows.js';
export { hashFile } from './hash.js';
export { sniff, type Delimiter, type SniffResult, type TextEncoding } from './sniff.js';
export { unwrapCell } from './cell.js';
export { decideRow } from './decide-row.js';
export { inThreadRowReader, readDecidedChunks, type ChunkReadOptions, type RowReader } from './decided-chunks.js';
export { WorkerRowReader, type WorkerRowReaderOptions } from './worker-row-reader.js';
