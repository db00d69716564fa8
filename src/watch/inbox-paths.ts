import { basename, dirname, relative, sep } from 'node:path';

/** A file in the inbox the daemon will take: read it, or refuse it with `refusal`. */
export interface InboxEntry {
  absolutePath: string;
  /** Relative to the inbox, '/'-separated: `269/orders.csv`. */
  relativePath: string;
  /** The service id named by the subfolder (`inbox/269/x.csv`, `inbox/recheck/269/x.csv`), if any. */
  folderServiceId: string | null;
  /**
   * Why the daemon will not read it (not a kind of file it reads, or too deep), saying what to
   * do: it is refused unread, and moved to processed/ with this as its summary's error.
   * Absent for a file to read.
   */
  refusal?: string;
  /** Dropped in `inbox/recheck/`: ordered again on purpose, even if ordered before. Default false. */
  recheck?: boolean;
}

export type InboxPathVerdict = { kind: 'file'; entry: InboxEntry } | { kind: 'ignored'; reason: string };

/** The kinds of file the daemon reads (the contract's `.csv` and `.txt`, and Excel workbooks). */
export const ACCEPTED_EXTENSIONS: readonly string[] = ['.csv', '.txt', '.xlsx'];
/** Names that copy tools and browsers use while a file is still arriving (contract, "Input"). */
const TEMPORARY_SUFFIXES = ['.tmp', '.part', '.partial', '.crdownload', '.filepart'];
/**
 * Files that programs, not people, put in a shared folder: Office's lock file while a workbook
 * is open (`~$orders.xlsx`), Windows Explorer's thumbnails and folder settings.
 */
const SYSTEM_FILE = /^~\$|^(thumbs\.db|desktop\.ini)$/i;
/**
 * How many folders deep the inbox is searched. Files are read one subfolder deep; deeper ones are
 * found to be refused with a reason (`classifyInboxPath`) rather than left unexplained.
 */
export const INBOX_SEARCH_DEPTH = 8;
/** The subfolder for files to be ordered again on purpose (see `InboxEntry.recheck`). */
export const RECHECK_FOLDER = 'recheck';
/** Spreadsheet and text documents: a folder named like one is a mistake, refused whole. */
const DOCUMENT_NAME = /\.(csv|txt|xlsx|xlsm|xls|ods|numbers)$/i;
const SERVICE_FOLDER = /^\d{1,10}$/;

/** What to do with a file of another kind, by its extension. */
const OTHER_KINDS: ReadonlyMap<string, string> = new Map([
  ['.xls', 'an old Excel .xls workbook'],
  ['.xlsm', 'an Excel workbook with macros (.xlsm)'],
  ['.xlsb', 'a binary Excel workbook (.xlsb)'],
  ['.ods', 'an OpenDocument spreadsheet (.ods)'],
  ['.numbers', 'an Apple Numbers document'],
]);

/** Whether a name is one the daemon leaves alone until it is renamed (or for ever: a system file). */
export function isTemporaryOrHidden(name: string): boolean {
  const lower = name.toLowerCase();
  return name.startsWith('.') || SYSTEM_FILE.test(name) || TEMPORARY_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

/** Whether a name is a document's (`x.csv`, `x.ods`...): a folder named so is refused, not entered. */
export function looksLikeDocumentName(name: string): boolean {
  return DOCUMENT_NAME.test(name);
}

/** Why a file of this name is not read, saying what to do; undefined for a kind the daemon reads. */
export function refusalByName(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot).toLowerCase() : '';
  if (ACCEPTED_EXTENSIONS.includes(extension)) return undefined;
  const kind = OTHER_KINDS.get(extension);
  if (kind) return `the file is ${kind}, which the daemon does not read: save it as CSV or XLSX and drop that in the inbox`;
  const what = extension === '' ? 'this name has no extension' : `not ${extension} files`;
  return `the daemon reads only .csv, .txt and .xlsx files (${what}): save it as CSV or XLSX and drop that in the inbox`;
}

/**
 * Classifies a path under the inbox: a file to take, or ignored with the reason. Files are read
 * in the inbox itself or one subfolder deep, where a subfolder named with digits names the
 * service (and `recheck/`, also `recheck/269/`, orders again on purpose). Any other file is
 * taken too, to be refused with a reason: a kind the daemon does not read, or one too deep, must
 * not sit in the inbox unexplained.
 */
export function classifyInboxPath(inbox: string, absolutePath: string): InboxPathVerdict {
  const relativePath = relative(inbox, absolutePath).split(sep).join('/');
  if (relativePath.startsWith('..') || relativePath === '') return { kind: 'ignored', reason: 'outside the inbox' };
  const parts = relativePath.split('/');
  const name = basename(absolutePath);
  const folders = parts.slice(0, -1);
  if (parts.some((part) => part.startsWith('.'))) return { kind: 'ignored', reason: 'hidden' };
  if (isTemporaryOrHidden(name)) return { kind: 'ignored', reason: 'temporary name' };
  // A folder named like a file is itself refused and moved; what is inside goes with it.
  if (folders.some(looksLikeDocumentName)) return { kind: 'ignored', reason: 'inside a folder named like a file' };
  const recheck = folders[0]?.toLowerCase() === RECHECK_FOLDER;
  const serviceFolder = recheck ? folders[1] : folders[0];
  const readable = folders.length <= (recheck ? 2 : 1) && (!recheck || folders.length < 2 || SERVICE_FOLDER.test(serviceFolder ?? ''));
  const entry: InboxEntry = {
    absolutePath,
    relativePath,
    folderServiceId: serviceFolder !== undefined && SERVICE_FOLDER.test(serviceFolder) ? serviceFolder : null,
  };
  if (recheck) entry.recheck = true;
  const refusal = readable ? refusalByName(name) : tooDeep(folders);
  if (refusal !== undefined) entry.refusal = refusal;
  return { kind: 'file', entry };
}

function tooDeep(folders: readonly string[]): string {
  return (
    `the file is ${folders.length} subfolders deep (${folders.join('/')}/): the daemon reads files in the inbox and ` +
    `one subfolder below it (inbox/269/orders.csv; inbox/recheck/269/orders.csv to order again): move it up and drop it again`
  );
}

/** `sub/orders.csv` -> `{ folder: 'sub', stem: 'orders', extension: '.csv' }`. */
export function splitInboxPath(relativePath: string): { folder: string; stem: string; extension: string } {
  const folder = dirname(relativePath) === '.' ? '' : dirname(relativePath);
  const name = basename(relativePath);
  const dot = name.lastIndexOf('.');
  return dot > 0
    ? { folder, stem: name.slice(0, dot), extension: name.slice(dot) }
    : { folder, stem: name, extension: '' };
}
