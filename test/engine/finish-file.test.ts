import { withTestAccount } from '../store/test-account.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileFinisher } from '../../src/engine/finish-file.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';

const NOW = '2026-11-28T10:00:00.000Z';

describe('moving a file out only after its report exists', () => {
  let dir: string;
  let inbox: string;
  let processed: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imei-finish-'));
    inbox = join(dir, 'inbox');
    processed = join(dir, 'processed');
    mkdirSync(inbox);
    mkdirSync(processed);
    store = withTestAccount(new Store(openDatabase(join(dir, 'd.sqlite'))));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function finisher(): FileFinisher {
    return new FileFinisher(store, { inboxDir: inbox, processedDir: processed, simulated: false }, silentLogger(), {
      onReportWritten: () => undefined,
      onOutputFailed: () => undefined,
    });
  }

  /** A file whose rows are all settled (one invalid row), as after submission. */
  function settledFile(name: string): number {
    const bytes = 'imei\n12345\n';
    writeFileSync(join(inbox, name), bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const fileId = store.intake.createFile({ inboxPath: name, sha256, size: bytes.length, folderServiceId: null, now: NOW });
    store.intake.appendRows(fileId, [{ line: 2, rawImei: '12345', imei: null, serviceId: '1739', note: 'too short (5 digits)' }], NOW);
    store.intake.finishIntake(fileId, 100, NOW);
    return fileId;
  }

  it('repairs a crash after the name was recorded but before the report or the move', async () => {
    const fileId = settledFile('orders.csv');
    // The daemon died right after recording the processed/ name: nothing written yet.
    store.beginReporting(fileId, 'orders', NOW);
    expect(existsSync(join(processed, 'orders.report.csv'))).toBe(false);

    await finisher().finish(fileId);
    expect(readFileSync(join(processed, 'orders.report.csv'), 'utf8')).toContain('too short');
    expect(existsSync(join(processed, 'orders.summary.json'))).toBe(true);
    expect(readFileSync(join(processed, 'orders.csv'), 'utf8')).toBe('imei\n12345\n');
    expect(existsSync(join(inbox, 'orders.csv'))).toBe(false);
    expect(store.getFile(fileId)?.state).toBe('done');
  });

  it('repairs a crash after the move but before the file was marked done', async () => {
    const fileId = settledFile('moved.csv');
    store.beginReporting(fileId, 'moved', NOW);
    await finisher().finish(fileId);
    // Undo the last step only, as if the daemon had died between the move and its record.
    store.db.prepare(`UPDATE files SET state = 'reporting' WHERE id = ?`).run(fileId);

    await finisher().finish(fileId);
    expect(store.getFile(fileId)?.state).toBe('done');
    expect(readFileSync(join(processed, 'moved.csv'), 'utf8')).toBe('imei\n12345\n');
  });

  it('writes the report once for the requests made while it is written, and again when asked after', async () => {
    const fileId = settledFile('asked.csv');
    let written = 0;
    const finishing = new FileFinisher(store, { inboxDir: inbox, processedDir: processed, simulated: false }, silentLogger(), {
      onReportWritten: () => {
        written += 1;
      },
      onOutputFailed: () => undefined,
    });
    // Batches that settle together each ask for the file while the first report is written.
    await Promise.all([finishing.finish(fileId), finishing.finish(fileId), finishing.finish(fileId)]);
    await finishing.drain();
    expect(written).toBe(1);
    // A request after it (a retried file settling again) is answered with a report to judge.
    await finishing.finish(fileId);
    expect(written).toBe(2);
    store.db.prepare(`UPDATE rows SET note = 'changed by hand' WHERE file_id = ?`).run(fileId);
    store.db.prepare('UPDATE files SET report_dirty = report_dirty + 1 WHERE id = ?').run(fileId);
    await finishing.finish(fileId);
    expect(written).toBe(3);
    expect(readFileSync(join(processed, 'asked.report.csv'), 'utf8')).toContain('changed by hand');
  });

  it('finishes a file whose original someone removed from the inbox after it was read', async () => {
    const fileId = settledFile('removed.csv');
    rmSync(join(inbox, 'removed.csv'));
    await finisher().finish(fileId);
    expect(store.getFile(fileId)?.state).toBe('done');
    expect(readFileSync(join(processed, 'removed.report.csv'), 'utf8')).toContain('too short');
    expect(existsSync(join(processed, 'removed.csv'))).toBe(false);
  });

  it('leaves a file dropped again under the same name in the inbox, for intake to read', async () => {
    const fileId = settledFile('again.csv');
    store.beginReporting(fileId, 'again', NOW);
    writeFileSync(join(inbox, 'again.csv'), 'imei\n353979106673567\n');
    await finisher().finish(fileId);
    expect(store.getFile(fileId)?.state).toBe('done');
    expect(readFileSync(join(inbox, 'again.csv'), 'utf8')).toContain('353979106673567');
    expect(existsSync(join(processed, 'again.report.csv'))).toBe(true);
  });

  it('never moves the original while its report cannot be written', async () => {
    const fileId = settledFile('blocked.csv');
    rmSync(processed, { recursive: true });
    writeFileSync(processed, 'a file where the folder should be');
    const failing = finisher();
    await failing.finish(fileId);
    failing.close();
    expect(existsSync(join(inbox, 'blocked.csv'))).toBe(true);
    expect(failing.failedFiles()).toHaveLength(1);
    expect(store.getFile(fileId)?.state).not.toBe('done');
  });
});
