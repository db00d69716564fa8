import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import {
  TEST_API_KEY,
  TEST_USER,
  makeWorkspace,
  providerAt,
  readReport,
  readSummary,
  runCli,
  runCliSync,
  startCli,
  validImeis,
  waitFor,
  waitForFile,
  type CliResult,
  type Workspace,
} from './harness.js';

const BATCH_SIZE = 100;

function attemptsInFlight(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM attempts WHERE outcome IS NULL').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Rows still waiting to be sent or confirmed, from `status --json` (works while the daemon runs). */
async function openRows(ws: Workspace): Promise<number> {
  const run = await runCli(['status', '--json', '--config', ws.configFile]);
  const status = JSON.parse(run.stdout) as { rowsByStoreState: Record<string, number> };
  const states = status.rowsByStoreState;
  return (states.queued ?? 0) + (states.sending ?? 0) + (states.unknown ?? 0) + (states.recovering ?? 0) + (states.failed ?? 0);
}

describe('crash-proof submission', () => {
  let ws: Workspace;
  let sim: Simulator;

  beforeEach(async () => {
    ws = await makeWorkspace();
  });
  afterEach(async () => {
    await sim?.close();
    await ws.cleanup();
  });

  it('loses no paid order and pays nothing twice through faults and three SIGKILLs', async () => {
    sim = await startSimulator({
      username: TEST_USER,
      apiKey: TEST_API_KEY,
      latencyMs: 40,
      seed: 20261128,
      faults: { dropAfterOrder: 0.05, hang: 0.03, http500: 0.05, rateLimit: 0.05, truncated: 0.03 },
    });
    await ws.writeConfig({
      ...providerAt(sim.url, 600),
      submission: { batchSize: BATCH_SIZE, concurrency: 10, maxAttempts: 12, retryBaseMs: 10 },
    });
    const imeis = validImeis(4000, 7);
    await writeFile(join(ws.inbox, 'big.csv'), `IMEI\n${imeis.join('\n')}\n`);

    // Three kills, each once the daemon has made some progress, at a random point after that.
    let kills = 0;
    let inFlightAtKills = 0;
    for (let round = 0; round < 3; round += 1) {
      const callsBefore = sim.stats().placeorderCalls;
      const daemon = startCli(['start', '--config', ws.configFile]);
      await waitFor(() => sim.stats().placeorderCalls > callsBefore + 2 || existsSync(join(ws.processed, 'big.summary.json')), 'calls');
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 400)));
      daemon.process.kill('SIGKILL');
      await daemon.exited;
      kills += 1;
      // What the daemon itself had in flight when it died: attempts recorded with no outcome.
      inFlightAtKills += attemptsInFlight(join(ws.checkpoints, 'imei-daemon.sqlite'));
    }

    const daemon = startCli(['start', '--config', ws.configFile]);
    try {
      await waitForFile(join(ws.processed, 'big.report.csv'), 60_000);
      await waitFor(async () => (await openRows(ws)) === 0, 'every row settled', 60_000);
      // ...and the report rewritten since: no row still shows Checking.
      const summary = join(ws.processed, 'big.summary.json');
      await waitFor(async () => (await readSummary(summary)).checking === 0, 'report rewritten', 60_000);
    } finally {
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);

    const report = await readReport(join(ws.processed, 'big.report.csv'));
    // Every input row exactly once, in input order.
    expect(report.map((r) => Number(r.ROW))).toEqual(imeis.map((_, i) => i + 2));
    expect(report.map((r) => r['IMEI NO.'])).toEqual(imeis);

    // Every order the provider holds is in the report with its id, or as Unconfirmed.
    const byImei = new Map(report.map((r) => [r['IMEI NO.'] as string, r]));
    const held = sim.orders();
    const mismatched = held.flatMap((order) => {
      const row = byImei.get(order.imei);
      if (row?.STATUS === 'Unconfirmed' || row?.['ORDER ID'] === order.orderId) return [];
      return [`${order.imei} held as ${order.orderId}: ${row?.STATUS} ${row?.['ORDER ID']} ${row?.NOTE}`];
    });
    expect(mismatched.slice(0, 3)).toEqual([]);
    // Nothing held is Failed or Invalid, and nothing is left unordered.
    const bad = report.filter((r) => r.STATUS === 'Failed' || r.STATUS === 'Invalid');
    expect(bad.slice(0, 3).map((r) => `${r.STATUS}: ${r.NOTE}`)).toEqual([]);
    expect(held).toHaveLength(4000);
    const unconfirmed = report.filter((r) => r.STATUS === 'Unconfirmed');
    for (const row of unconfirmed) expect(row.NOTE).toMatch(/reply never arrived/);

    // Lost replies are found again by their order ids: at least 99% of rows carry their own.
    const withOwnId = report.filter((r) => held.find((o) => o.imei === r['IMEI NO.'])?.orderId === r['ORDER ID']).length;
    expect(withOwnId).toBeGreaterThanOrEqual(Math.ceil(imeis.length * 0.99));
    // No IMEI was ordered twice: every repeat the daemon sent was refused, and none was needed
    // beyond the rows of calls whose reply was lost.
    expect(new Set(held.map((o) => o.imei)).size).toBe(held.length);

    // Unconfirmed rows can only come from calls whose reply was lost: faults after ordering, or kills.
    const faults = sim.stats().faultsInjected;
    const lostCalls = faults.dropAfterOrder + faults.hang + faults.truncated + inFlightAtKills;
    console.log(
      `crash test: ${held.length} orders, ${withOwnId} rows with their own order id, ${unconfirmed.length} Unconfirmed, ` +
        `${sim.stats().placeorderCalls} placeorder and ${sim.stats().getimeisCalls} getimeis calls, ` +
        `faults ${JSON.stringify(faults)}, ${kills} kills with ${inFlightAtKills} calls in flight (bound ${lostCalls * BATCH_SIZE})`,
    );
    expect(unconfirmed.length).toBeLessThanOrEqual(lostCalls * BATCH_SIZE);
  }, 240_000);

  it('stops on SIGTERM within the call timeout, and a restart finishes with nothing Unconfirmed', async () => {
    const timeoutMs = 3000;
    sim = await startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY, latencyMs: 500 });
    await ws.writeConfig({
      ...providerAt(sim.url, timeoutMs),
      submission: { batchSize: BATCH_SIZE, concurrency: 4, maxAttempts: 3, retryBaseMs: 10 },
    });
    const imeis = validImeis(3000, 8);
    await writeFile(join(ws.inbox, 'term.csv'), `IMEI\n${imeis.join('\n')}\n`);

    const daemon = startCli(['start', '--config', ws.configFile]);
    await waitFor(() => sim.stats().inFlight > 0 && sim.stats().placeorderCalls >= 4, 'calls in flight');
    const signalledAt = Date.now();
    daemon.process.kill('SIGTERM');
    const exit = await daemon.exited;
    const stoppedAfterMs = Date.now() - signalledAt;
    expect(exit.code).toBe(0);
    expect(stoppedAfterMs).toBeLessThan(timeoutMs + 1000);
    expect(sim.orders().length).toBeLessThan(3000);

    const rerun = await runCli(['run-once', '--config', ws.configFile]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const report = await readReport(join(ws.processed, 'term.report.csv'));
    expect(report).toHaveLength(3000);
    // Every row ordered, with its id; none Unconfirmed, Failed or left waiting.
    const ordered = new Set(['Pending', 'In Process', 'Completed']);
    expect(report.filter((r) => !ordered.has(r.STATUS as string) || !r['ORDER ID'])).toEqual([]);
    expect(sim.orders()).toHaveLength(3000);
  }, 120_000);

  it('picks a file up where a SIGKILL cut its reading: every row once, nothing ordered twice', async () => {
    sim = await startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY, latencyMs: 20 });
    await ws.writeConfig({
      ...providerAt(sim.url, 3000),
      submission: { batchSize: BATCH_SIZE, concurrency: 4, maxAttempts: 3, retryBaseMs: 10 },
    });
    // Big enough that reading it takes far longer than the first chunk: calls leave mid-read.
    const imeis = validImeis(40_000, 9);
    await writeFile(join(ws.inbox, 'long.csv'), `IMEI\n${imeis.join('\n')}\n`);

    const daemon = startCli(['start', '--config', ws.configFile]);
    await waitFor(() => sim.stats().placeorderCalls >= 2, 'first calls');
    daemon.process.kill('SIGKILL');
    await daemon.exited;
    const dbPath = join(ws.checkpoints, 'imei-daemon.sqlite');
    const db = new Database(dbPath, { readonly: true });
    const cut = db.prepare(`SELECT state, (SELECT COUNT(*) FROM rows) AS rows FROM files`).get() as { state: string; rows: number };
    db.close();
    // Calls the kill left with no recorded outcome: in flight, or answered and not yet written.
    const cutCalls = attemptsInFlight(dbPath);
    expect(cut.state).toBe('reading');
    expect(cut.rows).toBeLessThan(imeis.length);

    const rerun = await runCli(['run-once', '--config', ws.configFile]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const report = await readReport(join(ws.processed, 'long.report.csv'));
    expect(report.map((r) => Number(r.ROW))).toEqual(imeis.map((_, i) => i + 2));
    expect(report.map((r) => r['IMEI NO.'])).toEqual(imeis);
    // Calls cut by the kill come back Unconfirmed (the provider refused the repeat); all else is ordered.
    // Results may arrive meanwhile (the simulator moves orders on): any order status counts.
    const settled = new Set(['Pending', 'In Process', 'Completed', 'Rejected', 'Unconfirmed']);
    const notOrdered = report.filter((r) => !settled.has(r.STATUS as string));
    expect(notOrdered.slice(0, 3).map((r) => `${r.STATUS}: ${r.NOTE}`)).toEqual([]);
    expect(report.filter((r) => r.STATUS === 'Unconfirmed').length).toBeLessThanOrEqual(cutCalls * BATCH_SIZE);
    expect(sim.orders()).toHaveLength(imeis.length);
  }, 120_000);

  it('lets only one daemon use a checkpoints folder: a second exits 3', async () => {
    sim = await startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY });
    await ws.writeConfig(providerAt(sim.url));
    const first = startCli(['start', '--config', ws.configFile]);
    try {
      await waitFor(() => first.output().includes('watching the inbox'), 'first daemon up');
      const second = await runCli(['run-once', '--config', ws.configFile]);
      expect(second.code).toBe(3);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.stderr).toMatch(/already using the checkpoints folder/);
    } finally {
      first.process.kill('SIGTERM');
    }
    expect((await first.exited).code).toBe(0);
  });

  it('starts at once after a SIGKILL, while the killed daemon is not yet reaped', async () => {
    // No API key: the daemon runs its own simulator, as this test's event loop is about to stop.
    await ws.writeConfig({});
    const first = startCli(['start', '--config', ws.configFile]);
    await waitFor(() => first.output().includes('watching the inbox'), 'first daemon up');
    const pid = first.process.pid as number;
    first.process.kill('SIGKILL');
    // Synchronous: the killed daemon stays an unreaped zombie, its pid still "alive", meanwhile.
    const restart = runCliSync(['run-once', '--config', ws.configFile]);
    const state = procState(pid);
    expect(restart.code, restart.stderr).toBe(0);
    if (state !== undefined) expect(state).toBe('Z');
    expect((await first.exited).signal).toBe('SIGKILL');
  });

  it('is not kept from starting by an old daemon.lock naming a live, unrelated process', async () => {
    sim = await startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY });
    await ws.writeConfig(providerAt(sim.url));
    // The previous version's lock file, as a reboot leaves it: its pid now belongs to another process.
    await mkdir(ws.checkpoints, { recursive: true });
    await writeFile(join(ws.checkpoints, 'daemon.lock'), `${process.pid}\n`);
    const run = await runCli(['run-once', '--config', ws.configFile]);
    expect(run.code, run.stderr).toBe(0);
  });

  it('lets exactly one of two daemons started together run; the other exits 3', async () => {
    sim = await startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY });
    await ws.writeConfig(providerAt(sim.url));
    const daemons = [startCli(['start', '--config', ws.configFile]), startCli(['start', '--config', ws.configFile])];
    const ended: (CliResult | undefined)[] = [undefined, undefined];
    daemons.forEach((daemon, i) => void daemon.exited.then((result) => (ended[i] = result)));
    try {
      const up = (i: number): boolean => daemons[i]?.output().includes('watching the inbox') === true;
      await waitFor(() => ended.some((r) => r !== undefined) || (up(0) && up(1)), 'one of the two to give up');
      const losers = ended.flatMap((result, i) => (result === undefined ? [] : [i]));
      expect(losers).toHaveLength(1);
      const loser = ended[losers[0] as number] as CliResult;
      expect(loser.code).toBe(3);
      expect(loser.stderr.trim().split('\n')).toHaveLength(1);
      const winner = losers[0] === 0 ? 1 : 0;
      await waitFor(() => up(winner) || ended[winner] !== undefined, 'the other daemon up');
      expect(ended[winner]).toBeUndefined();
    } finally {
      for (const daemon of daemons) daemon.process.kill('SIGTERM');
    }
    const codes = (await Promise.all(daemons.map((d) => d.exited))).map((r) => r.code).sort();
    expect(codes).toEqual([0, 3]);
  });
});

/** The process state letter from /proc (`Z`: exited, not yet reaped), where there is a /proc. */
function procState(pid: number): string | undefined {
  try {
    return /\) (\w) /.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}
