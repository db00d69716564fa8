/**
 * Issue 14, point 5: what an operator meets at the command line. `status` says whether a daemon
 * runs; `--version` and `help status` work; a closed pipe ends `status` quietly; a bad
 * configuration names every bad key; an unreachable provider is named, once; a stop is quiet.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, providerAt, readReport, runCli, startCli, useSimulatedWorkspace, validImeis, waitFor } from './harness.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the command line, for an operator', () => {
  const env = useSimulatedWorkspace({ latencyMs: 5 });

  it('prints its version and the help of a command, with exit 0', async () => {
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    const help = await runCli(['help', 'status']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: imei-daemon status/);
  });

  it('ends quietly when the reader of its output goes away', async () => {
    await env.ws.writeConfig(providerAt(env.sim.url));
    await writeFile(join(env.ws.inbox, 'a.csv'), `IMEI\n${validImeis(3, 81).join('\n')}\n`);
    expect((await runCli(['run-once', '--config', env.ws.configFile])).code).toBe(0);
    // `true` exits at once: every line status writes meets a closed pipe (what `| head -3` does to the rest).
    const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" status --config "${env.ws.configFile}" | true`], {
      encoding: 'utf8',
      env: { ...process.env, GSMFUSION_API_KEY: '', IMEI_DAEMON_CONFIG: '' },
    });
    expect(piped.stderr).toBe('');
  });

  it('names every bad key of a configuration, with the key a misspelt one was meant to be', async () => {
    await writeFile(
      env.ws.configFile,
      JSON.stringify({ submision: { batchSize: 50 }, alerts: { treshold: 0.5 }, submission: { concurrency: 0 } }),
    );
    const run = await runCli(['status', '--config', env.ws.configFile]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('submision: unknown key (did you mean submission?)');
    expect(run.stderr).toContain('alerts.treshold: unknown key (did you mean alerts.threshold?)');
    expect(run.stderr).toMatch(/submission\.concurrency: /);
  });

  it('says whether the daemon runs, and promises no time left for a stopped one; a stop logs no failed calls', async () => {
    env.sim.setLatency(1500);
    await env.ws.writeConfig({ ...providerAt(env.sim.url), submission: { concurrency: 1 } });
    const daemon = startCli(['start', '--config', env.ws.configFile]);
    try {
      await waitFor(() => daemon.output().includes('watching the inbox'), 'daemon up');
      await writeFile(join(env.ws.inbox, 'slow.csv'), `IMEI\n${validImeis(500, 82).join('\n')}\n`);
      await waitFor(() => env.sim.stats().placeorderCalls >= 1, 'the first call');
      const running = await runCli(['status', '--config', env.ws.configFile]);
      expect(running.stdout.split('\n')[0]).toBe(`Daemon: running (pid ${daemon.process.pid})`);
      const json = JSON.parse((await runCli(['status', '--json', '--config', env.ws.configFile])).stdout) as { daemon: unknown };
      expect(json.daemon).toEqual({ running: true, pid: daemon.process.pid });
    } finally {
      daemon.process.kill('SIGTERM');
    }
    const stopped = await daemon.exited;
    expect(stopped.code).toBe(0);
    // Batches waiting for their turn when the stop came are not failures.
    expect(stopped.stdout).not.toMatch(/placeorder call failed|retriesLeft/);

    const after = await runCli(['status', '--config', env.ws.configFile]);
    expect(after.stdout.split('\n')[0]).toBe('Daemon: not running (files in progress resume when it starts)');
    expect(after.stdout).toMatch(/slow\.csv: [\d,]+ of 500 rows \(\d+%\), waiting for the daemon to start/);
    expect(after.stdout).not.toMatch(/left/);
  });

  it('names an unreachable provider, with its address, once rather than for every try', async () => {
    const unreachable = 'http://127.0.0.1:9';
    await env.ws.writeConfig({ ...providerAt(unreachable), submission: { maxAttempts: 2, retryBaseMs: 10 } });
    await writeFile(join(env.ws.inbox, 'down.csv'), `IMEI\n${validImeis(300, 83).join('\n')}\n`);
    const run = await runCli(['run-once', '--config', env.ws.configFile]);
    expect(run.code, run.stderr).toBe(0);
    expect((await readReport(join(env.ws.processed, 'down.report.csv'))).every((row) => row.STATUS === 'Failed')).toBe(true);

    const lines = run.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.msg === `ordering from ${unreachable} as reseller`)).toBeDefined();
    // Three batches of two tries each: one warning names the server; the rest are debug lines.
    const warnings = lines.filter((line) => line.level === 'warn' && /placeorder call failed/.test(String(line.msg)));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain(unreachable);
    expect(lines.filter((line) => line.level === 'warn' && /batch gave up/.test(String(line.msg)))).toHaveLength(1);
    // The alert (written to the log, no mail configured) names it too.
    const alert = lines.find((line) => /^alert \(no recipients/.test(String(line.msg)));
    expect(alert?.body).toContain(unreachable);
  });
});
