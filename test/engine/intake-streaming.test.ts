/**
 * Intake streams: full batches are planned (and may be sent) while the file is still being
 * read, and a read that stops half-way is picked up where it stopped without losing, repeating
 * or re-sending a row. Real files, a real store; the "sending" is the store's own transitions.
 */
import { withTestAccount } from '../store/test-account.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { intakeFile, settleUnfinishedReads, type IntakeOptions, type IntakeOutcome } from '../../src/engine/intake-file.js';
import { IntakeQueue } from '../../src/engine/intake-queue.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';
import type { InboxEntry } from '../../src/watch/inbox-paths.js';
import { validImeis } from '../e2e/harness.js';

const OPTIONS: IntakeOptions = { batchSize: 100, defaultServiceId: '1739', maxFileBytes: 52_428_800, rowsPerChunk: 1000 };
const NOW = '2026-11-28T10:00:00.000Z';

describe('streaming intake', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imei-stream-'));
    store = withTestAccount(new Store(openDatabase(join(dir, 'db.sqlite'))));
  });
  afterEach(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function inboxFile(name: string, lines: readonly string[]): Promise<InboxEntry> {
    await writeFile(join(dir, name), `IMEI\n${lines.join('\n')}\n`);
    return { absolutePath: join(dir, name), relativePath: name, folderServiceId: null };
  }

  /** Sends the newest file's first planned batch through the store and records its orders. */
  function sendOneBatch(): number {
    const batch = store.db
      .prepare(`SELECT id FROM batches WHERE state = 'planned' ORDER BY file_id DESC, id LIMIT 1`)
      .get() as { id: number } | undefined;
    if (!batch) throw new Error('no batch planned');
    const ticket = store.batches.beginAttempt(batch.id, NOW);
    if (!ticket) throw new Error('nothing to send');
    const placed = ticket.imeis.map((imei, i) => ({ imei, orderId: `o-${batch.id}-${i}`, status: 'Pending' as const }));
    store.batches.recordReply(ticket, { placed, duplicates: [], rejected: [] }, NOW);
    return ticket.imeis.length;
  }

  /** Reads `entry` until `chunks` chunks are stored, sending the first batch if `send`, then stops. */
  async function readThenStop(entry: InboxEntry, chunks: number, send: boolean): Promise<void> {
    let stored = 0;
    await expect(
      intakeFile(store, entry, OPTIONS, silentLogger(), {
        onBatchesPlanned: () => {
          if (send && stored === 0) sendOneBatch();
          stored += 1;
        },
        shouldStop: () => stored >= chunks,
      }),
    ).rejects.toThrow('stopping');
  }

  function storedLines(fileId: number): number[] {
    return store.db.prepare('SELECT line FROM rows WHERE file_id = ? ORDER BY id').pluck().all(fileId) as number[];
  }

  it('plans full batches while reading, and the short ones only at the end', async () => {
    const entry = await inboxFile('a.csv', validImeis(2550, 1));
    const plannedWhileReading: number[] = [];
    const outcome = await intakeFile(store, entry, OPTIONS, silentLogger(), {
      onBatchesPlanned: () => plannedWhileReading.push(store.db.prepare('SELECT COUNT(*) FROM batches').pluck().get() as number),
    });
    // 1000-row chunks: 10 full batches after each; of the last 550 rows, 5 full batches as they
    // are stored, and the short one when the file is finished.
    expect(plannedWhileReading).toEqual([10, 20, 25]);
    expect(outcome.counts).toMatchObject({ rows: 2550, queued: 2550, batches: 26 });
    const sizes = store.db.prepare('SELECT COUNT(*) FROM rows GROUP BY batch_id ORDER BY batch_id').pluck().all() as number[];
    expect(sizes).toEqual([...Array<number>(25).fill(100), 50]);
  });

  it('fills every batch but the last with 100 rows to send, whatever repeats and invalid rows lie between', async () => {
    const imeis = validImeis(2500, 3);
    // Every 10th line repeats the line before it; every 25th is not an IMEI (50 lines are both).
    const lines = imeis.map((imei, i) => (i % 25 === 24 ? 'not-an-imei' : i % 10 === 9 ? (imeis[i - 1] as string) : imei));
    const outcome = await intakeFile(store, await inboxFile('repeats.csv', lines), OPTIONS, silentLogger());
    expect(outcome.counts).toMatchObject({ rows: 2500, invalid: 100, duplicates: 200, queued: 2200 });
    const sizes = store.db.prepare('SELECT COUNT(*) FROM rows WHERE batch_id IS NOT NULL GROUP BY batch_id ORDER BY batch_id').pluck().all();
    expect(sizes).toEqual(Array<number>(22).fill(100));
    const batched = store.db.prepare(`SELECT DISTINCT state FROM rows WHERE batch_id IS NOT NULL`).pluck().all();
    expect(batched).toEqual(['queued']);
  });

  it('plans each service from its own first unplanned row: a lone row of another service waits for the end', async () => {
    const imeis = validImeis(2550, 7);
    await writeFile(join(dir, 'mixed.csv'), `IMEI,service\n${imeis.map((imei, i) => `${imei},${i === 0 ? '269' : '1739'}`).join('\n')}\n`);
    const entry = { absolutePath: join(dir, 'mixed.csv'), relativePath: 'mixed.csv', folderServiceId: null };
    const plannedWhileReading: number[] = [];
    await intakeFile(store, entry, OPTIONS, silentLogger(), {
      onBatchesPlanned: () => plannedWhileReading.push(store.db.prepare('SELECT COUNT(*) FROM batches').pluck().get() as number),
    });
    expect(plannedWhileReading).toEqual([9, 19, 25]);
    const batches = store.db
      .prepare('SELECT service_id AS service, COUNT(*) AS rows FROM rows GROUP BY batch_id ORDER BY batch_id')
      .all() as { service: string; rows: number }[];
    expect(batches.slice(0, 25).every((b) => b.service === '1739' && b.rows === 100)).toBe(true);
    expect(batches.slice(25)).toEqual([
      { service: '1739', rows: 49 },
      { service: '269', rows: 1 },
    ]);
  });

  it('marks a repeat of an earlier chunk as a duplicate even when the first one was already ordered', async () => {
    const imeis = validImeis(1500, 2);
    const repeated = imeis[3] as string;
    const entry = await inboxFile('b.csv', [...imeis, repeated]);
    let sent = 0;
    const outcome = await intakeFile(store, entry, OPTIONS, silentLogger(), {
      onBatchesPlanned: () => {
        if (sent === 0) sent = sendOneBatch(); // row 5 (imeis[3]) is ordered before the rest is read
      },
    });
    expect(sent).toBe(100);
    const last = store.db
      .prepare('SELECT state, note, duplicate_of FROM rows WHERE file_id = ? ORDER BY id DESC LIMIT 1')
      .get(outcome.fileId) as { state: string; note: string; duplicate_of: number };
    expect(last).toMatchObject({ state: 'duplicate', note: 'same IMEI as row 5 of this file' });
    expect(outcome.counts).toMatchObject({ rows: 1501, duplicates: 1 });
  });

  it('resumes a stopped read after its last stored row: every line once, the sent batch untouched', async () => {
    const entry = await inboxFile('c.csv', validImeis(3500, 3));
    await readThenStop(entry, 2, true);
    const [read] = store.intake.unfinishedReads();
    expect(read).toMatchObject({ lastLine: 2001, sent: true });

    const outcome = await intakeFile(store, entry, OPTIONS, silentLogger());
    expect(outcome.fileId).toBe(read?.fileId);
    expect(storedLines(outcome.fileId)).toEqual(Array.from({ length: 3500 }, (_, i) => i + 2));
    expect(outcome.counts).toMatchObject({ rows: 3500, queued: 3500, batches: 35 });
    const states = store.db.prepare('SELECT state, COUNT(*) AS n FROM rows GROUP BY state ORDER BY state').all();
    expect(states).toEqual([
      { state: 'ordered', n: 100 },
      { state: 'queued', n: 3400 },
    ]);
  });

  it('starts a stopped read again from the top when nothing of it was sent', async () => {
    const entry = await inboxFile('d.csv', validImeis(2500, 4));
    await readThenStop(entry, 1, false);
    const outcome = await intakeFile(store, entry, OPTIONS, silentLogger());
    expect(storedLines(outcome.fileId)).toHaveLength(2500);
    expect(store.db.prepare('SELECT COUNT(*) FROM files').pluck().get()).toBe(1);
  });

  it('reports what was read when the bytes under the name changed before the read was resumed', async () => {
    const entry = await inboxFile('e.csv', validImeis(2500, 5));
    await readThenStop(entry, 1, true);
    await inboxFile('e.csv', validImeis(10, 6));
    const outcome = await intakeFile(store, entry, OPTIONS, silentLogger());
    expect(outcome.error).toBe('the file was replaced while it was being read: rows after line 1001 were not read');
    expect(store.getFile(outcome.fileId)).toMatchObject({ state: 'submitting', rowsTotal: 1000 });
  });

  it('finishes a sent half-read whose file disappears while the daemon runs, with the rows read', async () => {
    const entry = await inboxFile('vanish.csv', validImeis(2500, 8));
    await readThenStop(entry, 1, true);
    await rm(entry.absolutePath);
    const outcomes: IntakeOutcome[] = [];
    const queue = new IntakeQueue(store, OPTIONS, silentLogger(), (outcome) => outcomes.push(outcome));
    queue.enqueue(entry);
    await queue.drain();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.error).toMatch(/^the file could not be read to its end \(.*ENOENT.*\): rows after line 1001 were not read$/);
    expect(store.getFile(outcomes[0]?.fileId ?? -1)).toMatchObject({ state: 'submitting', rowsTotal: 1000 });
    // The 900 rows not sent yet are in batches, waiting for the submitter.
    expect(store.db.prepare(`SELECT COUNT(*) FROM rows WHERE state = 'queued' AND batch_id IS NULL`).pluck().get()).toBe(0);
  });

  it('at start: drops unsent half-reads, finishes sent ones whose file is gone, leaves the rest to resume', async () => {
    const stopAfterFirstChunk = async (name: string, send: boolean): Promise<void> => {
      await readThenStop(await inboxFile(name, validImeis(1500, name.length)), 1, send);
    };
    await stopAfterFirstChunk('unsent.csv', false);
    await stopAfterFirstChunk('gone.csv', true);
    await stopAfterFirstChunk('there.csv', true);
    await rm(join(dir, 'gone.csv'));

    const outcome = await settleUnfinishedReads(store, dir, OPTIONS.batchSize);
    expect(outcome).toEqual({ discarded: 1, finishedInPart: 1, toResume: 1 });
    const files = store.db.prepare('SELECT inbox_path AS path, state, error FROM files ORDER BY id').all();
    expect(files).toEqual([
      {
        path: 'gone.csv',
        state: 'submitting',
        error: 'the file left the inbox before it was read to its end: rows after line 1001 were not read',
      },
      { path: 'there.csv', state: 'reading', error: null },
    ]);
  });
});
