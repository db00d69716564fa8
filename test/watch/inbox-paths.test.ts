import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyInboxPath, type InboxEntry } from '../../src/watch/inbox-paths.js';

const INBOX = '/srv/inbox';

function entryFor(relative: string): InboxEntry | string {
  const verdict = classifyInboxPath(INBOX, join(INBOX, relative));
  return verdict.kind === 'file' ? verdict.entry : verdict.reason;
}

describe('what the inbox takes', () => {
  it.each([
    ['orders.csv', null],
    ['orders.TXT', null],
    ['March.xlsx', null],
    ['269/orders.xlsx', '269'],
    ['samsung/orders.csv', null],
  ])('reads %s (service folder %s)', (relative, service) => {
    expect(entryFor(relative)).toEqual({ absolutePath: join(INBOX, relative), relativePath: relative, folderServiceId: service });
  });

  it('orders again what is dropped in recheck/, also with a service folder', () => {
    expect(entryFor('recheck/phones.csv')).toMatchObject({ recheck: true, folderServiceId: null });
    expect(entryFor('Recheck/269/phones.xlsx')).toMatchObject({ recheck: true, folderServiceId: '269' });
    expect(entryFor('recheck/phones.csv')).not.toHaveProperty('refusal');
  });

  it.each([
    ['book.ods', /OpenDocument spreadsheet.*save it as CSV or XLSX/],
    ['book.xls', /old Excel \.xls workbook/],
    ['book.xlsm', /macros/],
    ['book.numbers', /Apple Numbers/],
    ['scan.pdf', /only \.csv, \.txt and \.xlsx files \(not \.pdf files\)/],
    ['README', /has no extension/],
    ['a/b/deep.csv', /2 subfolders deep \(a\/b\/\).*move it up/],
    ['recheck/samsung/x.csv', /2 subfolders deep/],
    ['a/b/c/deeper.xlsx', /3 subfolders deep/],
  ])('takes %s to refuse it: %s', (relative, why) => {
    const entry = entryFor(relative);
    expect(typeof entry).toBe('object');
    expect((entry as InboxEntry).refusal).toMatch(why);
  });

  it.each([
    ['.hidden.csv', 'hidden'],
    ['.sync/x.csv', 'hidden'],
    ['orders.csv.part', 'temporary name'],
    ['~$orders.xlsx', 'temporary name'],
    ['Thumbs.db', 'temporary name'],
    ['desktop.ini', 'temporary name'],
    ['old.csv/inner.csv', 'inside a folder named like a file'],
    ['export.numbers/Index/Document.iwa', 'inside a folder named like a file'],
  ])('leaves %s alone (%s)', (relative, reason) => {
    expect(entryFor(relative)).toBe(reason);
  });
});
