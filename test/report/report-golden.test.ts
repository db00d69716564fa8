import { withTestAccount } from '../store/test-account.js';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileFinisher } from '../../src/engine/finish-file.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';
import { BIG_FILE, EARLIER_FILE, RICH_FILE, buildRichStore } from './rich-store.js';

/**
 * The report and summary bytes for every kind of row, through the daemon's own render path.
 * The snapshots were recorded with the csv-stringify stream writer the fast writer replaced:
 * a difference here is a change users would see in their spreadsheets.
 */
describe('report bytes', () => {
  let dir: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imei-golden-'));
    store = withTestAccount(new Store(openDatabase(join(dir, 'd.sqlite'))));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function render(fileId: number): Promise<{ report: Buffer; summary: string }> {
    const processed = join(dir, 'processed');
    // Not simulated: a simulated run marks every NOTE (report-layout.ts), which would hide the rows' own notes here.
    const finisher = new FileFinisher(store, { inboxDir: join(dir, 'inbox'), processedDir: processed, simulated: false }, silentLogger(), {
      onReportWritten: () => undefined,
      onOutputFailed: (_fileId, error) => {
        throw new Error(error);
      },
    });
    await finisher.finish(fileId);
    const stem = store.getFile(fileId)?.processedStem ?? '';
    return {
      report: readFileSync(join(processed, `${stem}.report.csv`)),
      summary: readFileSync(join(processed, `${stem}.summary.json`), 'utf8'),
    };
  }

  it.each([
    ['a filled service catalogue', true],
    ['an empty service catalogue', false],
  ])('stay as recorded with %s', async (name, withCatalogue) => {
    buildRichStore(store.db, withCatalogue);
    const earlier = await render(EARLIER_FILE);
    const rich = await render(RICH_FILE);
    const big = await render(BIG_FILE);
    // JSON keeps CR, LF and the BOM visible and safe from line-ending conversion in git.
    const recorded = JSON.stringify(
      {
        earlierReport: earlier.report.toString('utf8'),
        earlierSummary: JSON.parse(earlier.summary) as unknown,
        richReport: rich.report.toString('utf8'),
        richSummary: JSON.parse(rich.summary) as unknown,
        bigReport: { bytes: big.report.length, sha256: createHash('sha256').update(big.report).digest('hex') },
        bigSummary: JSON.parse(big.summary) as unknown,
      },
      null,
      2,
    );
    const slug = withCatalogue ? 'filled-catalogue' : 'empty-catalogue';
    await expect(recorded).toMatchFileSnapshot(`./__golden__/report-${slug}.json`, name);
  });
});
