import { basename, dirname, relative, sep } from 'node:path';

/** A file in the inbox the daemon will read. */
export interface InboxEntry {
  absolutePath: string;
  /** Relative to the inbox, '/'-separated: `269/orders.csv`. */
  relativePath: string;
  /** The service id named by the subfolder (`inbox/269/x.csv`), if any. */
  folderServiceId: string | null;
}

export type InboxPathVerdict = { kind: 'file'; entry: InboxEntry } | { kind: 'ignored'; reason: string };

const ACCEPTED_EXTENSIONS = ['.csv', '.txt'];
/** Names that copy tools and browsers use while a file is still arriving (contract, "Input"). */
const TEMPORARY_SUFFIXES = ['.tmp', '.part', '.partial', '.crdownload', '.filepart'];

/** Whether a name is one the daemon leaves alone until it is renamed. */
export function isTemporaryOrHidden(name: string): boolean {
  const lower = name.toLowerCase();
  return name.startsWith('.') || TEMPORARY_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

/**
 * Classifies a path under the inbox: a file to read, or ignored with the reason. Files sit in
 * the inbox itself or one subfolder deep; a subfolder named with digits names the service.
 */
export function classifyInboxPath(inbox: string, absolutePath: string): InboxPathVerdict {
  const relativePath = relative(inbox, absolutePath).split(sep).join('/');
  if (relativePath.startsWith('..') || relativePath === '') return { kind: 'ignored', reason: 'outside the inbox' };
  const parts = relativePath.split('/');
  const name = basename(absolutePath);
  if (parts.some((part) => part.startsWith('.'))) return { kind: 'ignored', reason: 'hidden' };
  if (isTemporaryOrHidden(name)) return { kind: 'ignored', reason: 'temporary name' };
  if (parts.length > 2) return { kind: 'ignored', reason: 'more than one subfolder deep' };
  // A folder named like a file is itself refused and moved; what is inside goes with it.
  if (parts.length === 2 && /\.(csv|txt)$/i.test(parts[0] as string)) {
    return { kind: 'ignored', reason: 'inside a folder named like a file' };
  }
  if (!ACCEPTED_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext))) {
    return { kind: 'ignored', reason: 'not a .csv or .txt file' };
  }
  const folder = parts.length === 2 ? (parts[0] as string) : null;
  const folderServiceId = folder !== null && /^\d{1,10}$/.test(folder) ? folder : null;
  return { kind: 'file', entry: { absolutePath, relativePath, folderServiceId } };
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
