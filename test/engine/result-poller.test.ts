import { withTestAccount } from '../store/test-account.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallBudget } from '../../src/engine/call-budget.js';
import { ResultPoller, type ResultPollerOptions } from '../../src/engine/result-poller.js';
import { GsmFusionClient } from '../../src/provider/index.js';
import { buildResultCode, startSimulator, withCheckDigit, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { openDatabase } from '../../src/store/db.js';
import { giveUpNote } from '../../src/store/order-transitions.js';
import { reportSourceRows } from '../../src/store/report-queries.js';
import { Store } from '../../src/store/store.js';
import { toReportRow } from '../../src/report/report-row.js';

const USER = 'reseller';
const KEY = 'POLL-TEST-KEY0-0000-0001';
const silent = pino({ level: 'silent' });

function imeiNo(n: number): string {
  return withCheckDigit(`35853210${String(n).padStart(6, '0')}`);
}

/** Same 14 digits, wrong check digit: the simulator rejects such an order with `Invalid_IMEI`. */
function badImei(n: number): string {
  const good = imeiNo(n);
  return `${good.slice(0, 14)}${(Number(good[14]) + 1) % 10}`;
}

interface OrderRow {
  order_id: string;
  imei: string;
  status: string;
  code: string;
  requested_at: string | null;
  final: number;
  note: string;
}

describe('ResultPoller against the simulator', () => {
  let dir: string;
  let store: Store;
  let sim: Simulator;
  let client: GsmFusionClient;
  let poller: ResultPoller | undefined;
  let changedFiles: number[];
  let fileCount = 0;

  async function setUp(simOptions: SimulatorOptions, clientKey = KEY): Promise<void> {
    sim = await startSimulator({ username: USER, apiKey: KEY, ...simOptions });
    client = new GsmFusionClient({ baseUrl: sim.url, username: USER, apiKey: clientKey, timeoutMs: 5000 });
  }

  function makePoller(options: Partial<ResultPollerOptions> = {}): ResultPoller {
    poller = new ResultPoller(
      store,
      client,
      { pollIntervalSeconds: 3600, maxAgeHours: 168, concurrency: 4, retryBaseMs: 20, maxAttempts: 3, ...options },
      silent,
      { onFilesChanged: (ids) => changedFiles.push(...ids) },
      new CallBudget({ maxConcurrency: 4, maxCallsPerMinute: 0 }),
    );
    return poller;
  }

  /** A file whose rows were ordered for real: intake transitions, then placeorder on the simulator. */
  async function placedFile(imeis: readonly string[]): Promise<number> {
    const now = new Date().toISOString();
    fileCount += 1;
    const name = `file-${fileCount}.csv`;
    const fileId = store.intake.createFile({ inboxPath: name, sha256: name, size: 1, folderServiceId: null, now });
    store.intake.appendRows(fileId, imeis.map((imei, i) => ({ line: i + 2, rawImei: imei, imei, serviceId: '1739', note: '' })), now);
    store.intake.finishIntake(fileId, 100, now);
    for (let batch = store.batches.nextPlanned(0); batch; batch = store.batches.nextPlanned(0)) {
      const ticket = store.batches.beginAttempt(batch.id, now);
      if (!ticket) continue;
      store.batches.recordReply(ticket, await client.placeOrder(ticket.serviceId, ticket.imeis), now);
    }
    store.beginReporting(fileId, name, now);
    store.markDone(fileId, store.reportVersion(fileId));
    return fileId;
  }

  const orders = (): OrderRow[] => store.db.prepare('SELECT * FROM orders ORDER BY order_id').all() as OrderRow[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imei-poller-'));
    store = withTestAccount(new Store(openDatabase(join(dir, 'test.sqlite'))));
    changedFiles = [];
    poller = undefined;
  });
  afterEach(async () => {
    await poller?.stop();
    await client.close();
    await sim.close();
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('asks for 250 open orders in 3 calls of at most 100 ids, every round, and records their progress', async () => {
    await setUp({ completeAfterMs: 60_000 });
    const fileId = await placedFile(Array.from({ length: 250 }, (_, i) => imeiNo(i)));
    const before = sim.stats().getimeisCalls;

    const round = await makePoller().pollNow();
    expect(sim.stats().getimeisCalls - before).toBe(3);
    expect(round).toMatchObject({ asked: 250, calls: 3, failedChunks: 0, authFailed: false });
    // Pending to Pending changes nothing, but the provider's date arrived.
    expect(orders().every((o) => o.status === 'Pending' && o.final === 0 && o.requested_at !== null)).toBe(true);
    expect(changedFiles).toContain(fileId);

    await poller?.pollNow();
    expect(sim.stats().getimeisCalls - before).toBe(6);
  });

  it('fills in Completed results and Rejected reasons, then stops asking about final orders', async () => {
    await setUp({ completeAfterMs: 0 });
    const good = [imeiNo(1), imeiNo(2)];
    const fileId = await placedFile([...good, badImei(3)]);

    const round = await makePoller().pollNow();
    expect(round).toMatchObject({ asked: 3, changed: 3, finalised: 3 });
    const byImei = new Map(orders().map((o) => [o.imei, o]));
    for (const imei of good) {
      expect(byImei.get(imei)).toMatchObject({ status: 'Completed', final: 1, code: buildResultCode('1739', imei) });
    }
    expect(byImei.get(badImei(3))).toMatchObject({ status: 'Rejected', final: 1, code: 'Invalid_IMEI' });
    expect(changedFiles).toEqual([fileId]);
    expect(store.reportVersion(fileId)).toBeGreaterThan(0);

    const rows = [...reportSourceRows(store.db, fileId)].map(toReportRow);
    expect(rows[0]?.status).toBe('Completed');
    expect(rows[0]?.model).not.toBe('');
    expect(rows[2]).toMatchObject({
      status: 'Rejected',
      code: 'Invalid_IMEI',
      note: 'the provider rejected the order: the IMEI failed its check (Invalid_IMEI)',
    });

    const calls = sim.stats().getimeisCalls;
    expect(await poller?.pollNow()).toMatchObject({ asked: 0, calls: 0 });
    expect(sim.stats().getimeisCalls).toBe(calls);
  });

  it('gives up orders older than maxAgeHours with a note, and never asks about them', async () => {
    await setUp({ completeAfterMs: 60_000 });
    const fileId = await placedFile([imeiNo(10), imeiNo(11)]);
    const [stale] = orders();
    const longAgo = new Date(Date.now() - 200 * 3_600_000).toISOString();
    store.db.prepare('UPDATE orders SET placed_at = ? WHERE order_id = ?').run(longAgo, stale?.order_id);

    const round = await makePoller({ maxAgeHours: 168 }).pollNow();
    expect(round).toMatchObject({ givenUp: 1, asked: 1 });
    expect(orders()[0]).toMatchObject({ final: 1, note: giveUpNote(168), status: 'Pending' });
    expect(orders()[1]).toMatchObject({ final: 0, note: '' });

    const rows = [...reportSourceRows(store.db, fileId)].map(toReportRow);
    expect(rows[0]?.note).toBe("no final result after 168 h; the daemon stopped asking: check the provider's site");
    expect(changedFiles).toContain(fileId);
  });

  it('retries a failing getimeis with back-off and recovers within the round', async () => {
    await setUp({ completeAfterMs: 0, faultActions: ['getimeis'] });
    await placedFile([imeiNo(20), imeiNo(21)]);
    sim.setFaults({ http500: 1 });
    const before = sim.stats().getimeisCalls;

    const round = makePoller({ maxAttempts: 20, retryBaseMs: 50 }).pollNow();
    await waitUntil(() => sim.stats().getimeisCalls - before >= 2);
    sim.setFaults({});
    expect(await round).toMatchObject({ calls: 1, failedChunks: 0, finalised: 2 });
    expect(sim.stats().faultsInjected.http500).toBeGreaterThanOrEqual(2);
    expect(orders().every((o) => o.status === 'Completed' && o.final === 1)).toBe(true);
  });

  it('leaves the orders for the next round when every try fails', async () => {
    await setUp({ completeAfterMs: 0, faultActions: ['getimeis'], faults: { http503: 1 } });
    await placedFile([imeiNo(30)]);
    const before = sim.stats().getimeisCalls;

    const round = await makePoller({ maxAttempts: 3, retryBaseMs: 10 }).pollNow();
    expect(round).toMatchObject({ calls: 0, failedChunks: 1 });
    expect(sim.stats().getimeisCalls - before).toBe(3);
    expect(orders()[0]).toMatchObject({ status: 'Pending', final: 0 });

    sim.setFaults({});
    expect(await poller?.pollNow()).toMatchObject({ calls: 1, finalised: 1 });
  });

  it('ends the round at the first refusal of the credentials, without retrying it', async () => {
    await setUp({ completeAfterMs: 0 });
    await placedFile(Array.from({ length: 250 }, (_, i) => imeiNo(100 + i)));
    await client.close();
    client = new GsmFusionClient({ baseUrl: sim.url, username: USER, apiKey: 'WRONG-KEY0-0000-0000-0000', timeoutMs: 5000 });
    const authFailures: string[] = [];
    const before = sim.stats().getimeisCalls;
    poller = new ResultPoller(
      store,
      client,
      { pollIntervalSeconds: 3600, maxAgeHours: 168, concurrency: 1, retryBaseMs: 10, maxAttempts: 3 },
      silent,
      { onFilesChanged: () => undefined, onAuthFailed: (message) => authFailures.push(message) },
      new CallBudget({ maxConcurrency: 1, maxCallsPerMinute: 0 }),
    );

    expect(await poller.pollNow()).toMatchObject({ authFailed: true, calls: 0 });
    expect(sim.stats().getimeisCalls - before).toBe(1);
    expect(authFailures).toHaveLength(1);
    expect(authFailures[0]).not.toContain('WRONG-KEY0');
    expect(orders().every((o) => o.final === 0)).toBe(true);
  });

  it('polls the due orders from start, and stop waits for the round in flight', async () => {
    await setUp({ completeAfterMs: 0, latencyMs: 100 });
    await placedFile([imeiNo(40)]);
    const p = makePoller({ pollIntervalSeconds: 1 });
    p.start();
    await waitUntil(() => sim.stats().getimeisCalls >= 1);
    await p.stop();
    // The call in flight was answered and recorded before stop returned.
    expect(orders()[0]).toMatchObject({ status: 'Completed', final: 1 });
    expect(await p.pollNow()).toMatchObject({ asked: 0 });
  });

  it('asks 3,000 orders that never finish a handful of times in their first hour, only when due', async () => {
    await setUp({ completeAfterMs: 10 * 24 * 3_600_000 });
    const imeis = Array.from({ length: 3000 }, (_, i) => imeiNo(1000 + i));
    await placedFile(imeis);
    let time = Date.now();
    const start = time;
    const p = makePoller({ pollIntervalSeconds: 60, maxPollIntervalMinutes: 60, now: () => time });
    const before = sim.stats().getimeisCalls;
    for (; time <= start + 3_600_000; time += 5_000) await p.pollDue();
    const polls = store.db.prepare('SELECT MIN(polls) AS least, MAX(polls) AS most FROM orders').get() as { least: number; most: number };
    const calls = sim.stats().getimeisCalls - before;
    console.log(`3,000 open orders over an hour: ${polls.least}-${polls.most} polls each, ${calls} getimeis calls`);
    // Unknown delivery time: first at 60 s, then 60, 120, 240, 480, 960, 1920 s apart.
    expect(polls.most).toBeLessThanOrEqual(8);
    expect(polls.least).toBeGreaterThanOrEqual(5);
    // Every call carried 100 due ids: 30 calls per poll of the 3,000.
    expect(calls).toBe(30 * polls.most);
  });

  it('first asks for an order when its service says the result can be expected', async () => {
    await setUp({ completeAfterMs: 0 });
    const now = new Date().toISOString();
    store.saveCatalogue([{ id: '1739', category: 'c', title: 'Checker', price: '0.08', timeTaken: '1-3 Days', mustRead: '' }], now);
    await placedFile([imeiNo(60)]);
    let time = Date.now();
    const p = makePoller({ pollIntervalSeconds: 60, now: () => time });
    expect(await p.pollDue()).toMatchObject({ asked: 0 });
    time += 23 * 3_600_000;
    expect(await p.pollDue()).toMatchObject({ asked: 0 });
    time += 2 * 3_600_000;
    expect(await p.pollDue()).toMatchObject({ asked: 1, finalised: 1 });
  });

  it('stop cuts a back-off short and sends nothing more', async () => {
    await setUp({ completeAfterMs: 0, faultActions: ['getimeis'], faults: { http500: 1 } });
    await placedFile([imeiNo(50)]);
    const before = sim.stats().getimeisCalls;
    const p = makePoller({ maxAttempts: 5, retryBaseMs: 600_000 });
    const round = p.pollNow();
    await waitUntil(() => sim.stats().getimeisCalls - before >= 1);
    await p.stop();
    expect(await round).toMatchObject({ calls: 0, failedChunks: 0 });
    expect(sim.stats().getimeisCalls - before).toBe(1);
    expect(orders()[0]).toMatchObject({ status: 'Pending', final: 0 });
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
