/**
 * Issue 14, point 2: the service set-up a staff group can use. Run with the unit's umask, in the
 * setgid shared folders the README sets up, the daemon writes reports the group can read (and
 * nobody else), in the folders' group, while the database and the log stay owner-only.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { CLI, TEST_API_KEY, TEST_USER, firstLogFile, makeWorkspace, providerAt, validImeis } from './harness.js';

const UNIT = readFileSync(new URL('../../config/imei-daemon.service', import.meta.url), 'utf8');
const UMASK = /^UMask=(\d+)$/m.exec(UNIT)?.[1] ?? '';

function runWithUmask(umask: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const quoted = [process.execPath, CLI, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('sh', ['-c', `umask ${umask} && exec ${quoted}`], {
    env: { ...process.env, GSMFUSION_API_KEY: '', SMTP_PASSWORD: '', IMEI_DAEMON_CONFIG: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

/** A group other than our own when we may choose one (root), so that inheriting it shows. */
function staffGroup(): number {
  const own = process.getgid?.() ?? 0;
  return process.getuid?.() === 0 ? (own === 100 ? 101 : 100) : own;
}

describe('the service set-up for a staff group', () => {
  it('writes reports the group can read in setgid folders, and keeps the database and log owner-only', async () => {
    expect(UMASK).toBe('0007');
    const ws = await makeWorkspace();
    const sim = await startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY, latencyMs: 5 });
    try {
      const gid = staffGroup();
      await mkdir(ws.processed);
      for (const shared of [ws.inbox, ws.processed]) {
        await chown(shared, process.getuid?.() ?? 0, gid);
        await chmod(shared, 0o2770);
      }
      await mkdir(join(ws.inbox, '269'));
      await writeFile(join(ws.inbox, 'staff.csv'), `IMEI\n${validImeis(3, 91).join('\n')}\n`, { mode: 0o640 });
      await writeFile(join(ws.inbox, '269', 'samsung.csv'), `IMEI\n${validImeis(2, 92).join('\n')}\n`, { mode: 0o640 });
      await ws.writeConfig(providerAt(sim.url));

      // As systemd starts it: the unit's umask, then the daemon. Not spawnSync: the simulator answers from this process.
      const run = await runWithUmask(UMASK, ['run-once', '--config', ws.configFile]);
      expect(run.code, run.stderr).toBe(0);

      for (const name of ['staff.report.csv', 'staff.report.xlsx', 'staff.summary.json', '269/samsung.report.csv', '269/samsung.summary.json']) {
        const stats = statSync(join(ws.processed, name));
        expect(stats.gid, name).toBe(gid);
        expect(stats.mode & 0o777, name).toBe(0o660);
      }
      // A subfolder the daemon made keeps the set-up: the group, setgid, nothing for others.
      const folder = statSync(join(ws.processed, '269'));
      expect(folder.gid).toBe(gid);
      expect(folder.mode & 0o7777).toBe(0o2770);

      for (const name of readdirSync(ws.checkpoints)) {
        expect(statSync(join(ws.checkpoints, name)).mode & 0o077, name).toBe(0);
      }
      expect(statSync(await firstLogFile(ws)).mode & 0o077).toBe(0);
    } finally {
      await sim.close();
      await ws.cleanup();
    }
  });
});
