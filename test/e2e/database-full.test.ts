import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startSmtp, type TestSmtp } from '../alerts/helpers.js';
import {
  TEST_API_KEY,
  TEST_USER,
  makeWorkspace,
  providerAt,
  readLogs,
  readReport,
  startCli,
  validImeis,
  waitFor,
  waitForFile,
  type RunningCli,
  type Workspace,
} from './harness.js';

const SMTP_PASSWORD = 'smtp-Full-Disk-Passw0rd';
/** Room for the database the daemon creates at start; the filler takes the rest. */
const TMPFS_SIZE = '16m';

let ws: Workspace | undefined;
let sim: Simulator | undefined;
let smtp: TestSmtp | undefined;
let daemon: RunningCli | undefined;
let mounted: string | undefined;

/** Mounts a small tmpfs on `dir`, or says why it cannot (not root, no CAP_SYS_ADMIN, a container). */
function mountTmpfs(dir: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr || (error as Error).message;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); // still busy: detach it now, freed when released
  }
}

/** Writes until the file system says ENOSPC: big chunks first, then small ones for the last bytes. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const size of [1024 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x55);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

async function allOrdered(path: string): Promise<boolean> {
  const ordered = new Set(['Pending', 'In Process', 'Completed']);
  return (await readReport(path)).every((row) => ordered.has(row.STATUS as string));
}

afterEach(async () => {
  if (daemon && daemon.process.exitCode === null && daemon.process.signalCode === null) {
    daemon.process.kill('SIGKILL');
    await daemon.exited;
  }
  daemon = undefined;
  if (mounted) unmount(mounted);
  mounted = undefined;
  await sim?.close();
  await smtp?.close();
  await ws?.cleanup();
});

describe('checkpoints database not writable, end to end', () => {
  it('mails an alert without the database when its disk is full, then the recovery, and the file completes', async (ctx) => {
    ws = await makeWorkspace();
    await mkdir(ws.checkpoints, { recursive: true });
    const refused = mountTmpfs(ws.checkpoints);
    if (refused !== undefined) ctx.skip(`cannot mount a tmpfs for the checkpoints folder (needs root or CAP_SYS_ADMIN): ${refused}`);
    mounted = ws.checkpoints;
    sim = await startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY, latencyMs: 5 });
    smtp = await startSmtp();
    const mails = smtp.mails;
    await ws.writeConfig({
      ...providerAt(sim.url),
      alerts: {
        to: ['ops@example.com'],
        from: 'imei-daemon@example.com',
        smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'mailer', pass: SMTP_PASSWORD },
      },
    });
    daemon = startCli(['start', '--config', ws.configFile]);
    const running = daemon;
    await waitFor(() => running.output().includes('watching the inbox'), 'daemon up');

    const filler = join(ws.checkpoints, 'filler');
    fillDisk(filler);
    const imeis = validImeis(250, 61);
    await writeFile(join(ws.inbox, 'full-disk.csv'), `imei\n${imeis.join('\n')}\n`);
    const startedAt = Date.now();
    const alert = await waitFor(() => mails.find((mail) => mail.subject.includes('cannot be written')), 'the alert mail', 20_000);
    const alertAfterMs = Date.now() - startedAt;
    expect(alert.subject).toBe('imei-daemon: checkpoints database cannot be written (disk full)');
    expect(alert.text).toContain('SQLITE_FULL');
    expect(alert.text).toContain(join(ws.checkpoints, 'imei-daemon.sqlite'));
    expect(alert.text).toContain('Nothing is lost');
    expect(alert.to).toEqual(['ops@example.com']);

    // Nothing can be recorded, so nothing is ordered and the file waits in the inbox.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(sim.orders()).toHaveLength(0);
    expect(mails).toHaveLength(1);

    await rm(filler);
    const freedAt = Date.now();
    const recovery = await waitFor(() => mails.find((mail) => /^imei-daemon: recovered: checkpoints database/.test(mail.subject)), 'the recovery mail', 20_000);
    const recoveryAfterMs = Date.now() - freedAt;
    expect(recovery.text).toContain('SQLITE_FULL');

    const report = join(ws.processed, 'full-disk.report.csv');
    await waitForFile(report, 60_000);
    await waitFor(() => allOrdered(report), 'every row ordered', 30_000);
    const completedAfterMs = Date.now() - freedAt;
    expect(await readReport(report)).toHaveLength(250);
    const ordered = sim.orders().map((order) => order.imei);
    expect(new Set(ordered)).toEqual(new Set(imeis));
    expect(ordered).toHaveLength(250);
    expect(mails).toHaveLength(2);
    await ctx.annotate(`alert ${alertAfterMs} ms after the disk filled; recovery ${recoveryAfterMs} ms and report ${completedAfterMs} ms after it was freed`);

    running.process.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
    const logs = await readLogs(ws);
    expect(logs).toContain('the checkpoints database cannot be written: the disk is full');
    expect(logs).toContain('the checkpoints database can be written again');
    for (const mail of mails) {
      expect(mail.raw).not.toContain(SMTP_PASSWORD);
      expect(mail.raw).not.toContain(TEST_API_KEY);
    }
  }, 120_000);
});
