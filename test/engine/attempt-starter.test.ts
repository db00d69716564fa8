import { withTestAccount } from '../store/test-account.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttemptStarter } from '../../src/engine/attempt-starter.js';
import { openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';

const T0 = '2026-11-28T10:00:00.000Z';
const imei = (n: number): string => `35000000000${String(n).padStart(4, '0')}`;

describe('AttemptStarter', () => {
  let dir: string;
  let path: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imei-starter-'));
    path = join(dir, 'test.sqlite');
    store = withTestAccount(new Store(openDatabase(path)));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A file of `count` rows in batches of 10; returns the batch ids. */
  function batches(count: number): number[] {
    const fileId = store.intake.createFile({ inboxPath: 'f.csv', sha256: 'x', size: 1, folderServiceId: null, now: T0 });
    const rows = Array.from({ length: count }, (_, i) => ({ line: i + 2, rawImei: imei(i), imei: imei(i), serviceId: '1739', note: '' }));
    store.intake.appendRows(fileId, rows, T0);
    store.intake.finishIntake(fileId, 10, T0);
    return store.db.prepare('SELECT id FROM batches ORDER BY id').pluck().all() as number[];
  }

  it('begins the attempts asked for in one turn, each on disk before its promise resolves', async () => {
    const ids = batches(30);
    const starter = new AttemptStarter(store);
    const other = new Database(path, { readonly: true });
    const seenOnDisk: number[] = [];
    const tickets = await Promise.all(
      ids.map((id) =>
        starter.begin(id).then((ticket) => {
          // What another connection sees now is what a crash would leave.
          seenOnDisk.push(other.prepare(`SELECT COUNT(*) FROM attempts WHERE batch_id = ?`).pluck().get(id) as number);
          return ticket;
        }),
      ),
    );
    other.close();
    expect(tickets.map((ticket) => ticket?.batchId)).toEqual(ids);
    expect(tickets.map((ticket) => ticket?.imeis.length)).toEqual([10, 10, 10]);
    expect(seenOnDisk).toEqual([1, 1, 1]);
    expect(store.db.prepare(`SELECT COUNT(*) FROM rows WHERE state = 'sending'`).pluck().get()).toBe(30);
  });

  it('a batch the store refuses fails alone; the others of its turn still begin', async () => {
    const ids = batches(30);
    const refused = ids[1] as number;
    store.db.exec(
      `CREATE TEMP TRIGGER refuse_one BEFORE INSERT ON attempts WHEN NEW.batch_id = ${refused}
       BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
    const starter = new AttemptStarter(store);
    const outcomes = await Promise.allSettled(ids.map((id) => starter.begin(id)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    const sending = store.db.prepare(`SELECT batch_id, COUNT(*) AS n FROM rows WHERE state = 'sending' GROUP BY batch_id`).all();
    expect(sending).toEqual([
      { batch_id: ids[0], n: 10 },
      { batch_id: ids[2], n: 10 },
    ]);
  });

  it('a batch with nothing left to send gives no ticket', async () => {
    const [first] = batches(10);
    store.db.prepare(`UPDATE rows SET state = 'ordered' WHERE batch_id = ?`).run(first);
    expect(await new AttemptStarter(store).begin(first as number)).toBeUndefined();
  });
});
