/**
 * The dashboard's API and operator endpoints over a real HTTP client, against the daemon as a
 * child process (`start`, dashboard on port 0) and the simulator.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { providerAt, readLogs, readReport, runCli, startCli, useSimulatedWorkspace, validImeis, waitFor, waitForFile } from './harness.js';
import { loggedDashboardUrl, readEvents, startWithDashboard } from './web-harness.js';
import { writeFile } from 'node:fs/promises';

const TOKEN = 'e2e-dashboard-token-abcdef012345';
const HOSTILE = '<script>alert(1)</script>';

interface FileMessage {
  event: string;
  data: { type?: string; file?: { name: string; state: string; percent: number; rows: number; ordered: number } };
}

describe('the dashboard API against the running daemon', () => {
  const env = useSimulatedWorkspace({ latencyMs: 100, completeAfterMs: 300 });

  it('takes an upload, streams its progress to 100%, and answers files, look-up, metrics and readiness', async () => {
    const { daemon, url } = await startWithDashboard(env.ws, {
      ...providerAt(env.sim.url),
      submission: { batchSize: 50, concurrency: 2 },
      results: { pollIntervalSeconds: 1 },
      web: { token: TOKEN },
    });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(await (await fetch(`${url}healthz`)).json()).toEqual({ status: 'ok' });
      expect((await fetch(`${url}api/files`)).status).toBe(401);

      const stream = await fetch(`${url}api/events`, { headers: auth });
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const finished = readEvents(stream.body as ReadableStream<Uint8Array>, (seen) =>
        (seen as FileMessage[]).some((m) => m.data.file?.name === 'orders.csv' && m.data.file.percent === 100 && m.data.file.state === 'done'),
      );

      const imeis = validImeis(300, 71);
      const upload = await fetch(`${url}api/upload?name=orders.csv`, { method: 'POST', headers: auth, body: `IMEI\n${imeis.join('\n')}\n${HOSTILE}\n` });
      expect(upload.status).toBe(201);
      expect(await upload.json()).toMatchObject({ name: 'orders.csv', file: 'orders.csv', progressUrl: '/?file=orders.csv' });

      const messages = (await finished) as FileMessage[];
      const done = messages.find((m) => m.data.file?.state === 'done')?.data.file;
      expect(done).toMatchObject({ name: 'orders.csv', rows: 301, ordered: 300, percent: 100 });
      expect(messages.some((m) => m.event === 'status')).toBe(true);

      await waitForFile(join(env.ws.processed, 'orders.summary.json'));
      const list = (await (await fetch(`${url}api/files?q=orders`, { headers: auth })).json()) as {
        files: { id: number; name: string; status: string; rows: number; accepted: number; invalid: number; reportUrl: string }[];
      };
      expect(list.files).toMatchObject([{ name: 'orders.csv', status: 'done', rows: 301, accepted: 300, invalid: 1 }]);
      const report = await fetch(`${url}${list.files[0]?.reportUrl.slice(1)}`, { headers: auth });
      expect(report.headers.get('content-disposition')).toContain('filename="orders.report.csv"');
      const onDisk = await readReport(join(env.ws.processed, 'orders.report.csv'));
      expect(onDisk).toHaveLength(301);
      expect((await report.text()).replace(/^\uFEFF/, '').split('\r\n').filter((l) => l !== '')).toHaveLength(302);

      // The look-up answers what `history --json` prints, as objects (once the result is in, so both see the same).
      const imei = imeis[7] as string;
      const looked = await waitFor(async () => {
        const answer = (await (await fetch(`${url}api/imei/${imei}`, { headers: auth })).json()) as { orders: { status: string }[] };
        return answer.orders[0]?.status === 'Completed' ? answer : undefined;
      }, 'the order completed');
      const history = JSON.parse((await runCli(['history', imei, '--json', '--config', env.ws.configFile])).stdout) as unknown[];
      expect(looked.orders).toEqual(history);
      expect(looked.orders).toHaveLength(1);

      const metrics = await (await fetch(`${url}metrics`, { headers: auth })).text();
      expect(metrics).toMatch(/^imei_daemon_orders_placed_total 300$/m);
      const placeCalls = Number(/^imei_daemon_provider_calls_total\{action="place_order",outcome="ok"\} (\d+)$/m.exec(metrics)?.[1]);
      expect(placeCalls).toBeGreaterThanOrEqual(6);
      expect(metrics).toMatch(/^imei_daemon_provider_call_duration_seconds_count\{action="place_order"\} \d+$/m);
      expect(metrics).toMatch(/^imei_daemon_rows\{status="Invalid"\} 1$/m);
      expect(metrics).toMatch(/^imei_daemon_files_in_flight 0$/m);
      expect(metrics).toMatch(/^imei_daemon_process_resident_memory_bytes \d+/m);
      for (const line of metrics.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) expect(line).toMatch(/^imei_daemon_/);

      const ready = await fetch(`${url}readyz`, { headers: auth });
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true }, inbox: { ok: true }, provider: { ok: true } } });

      const status = JSON.parse((await runCli(['status', '--json', '--config', env.ws.configFile])).stdout) as { dashboard: unknown };
      expect(status.dashboard).toMatchObject({ served: true, url });
      for (const text of [metrics, JSON.stringify(looked), JSON.stringify(list), await readLogs(env.ws)]) expect(text).not.toContain(TOKEN);
    } finally {
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);
  });

  it('goes on without the page when its port is taken, and says so in the log and in status', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    await env.ws.writeConfig({ ...providerAt(env.sim.url), web: { port } });
    const daemon = startCli(['start', '--config', env.ws.configFile]);
    try {
      await waitFor(() => daemon.output().includes(`dashboard not served: port ${port} on 127.0.0.1 is in use`), 'the port-in-use line');
      await writeFile(join(env.ws.inbox, 'later.csv'), `IMEI\n${validImeis(20, 72).join('\n')}\n`);
      await waitForFile(join(env.ws.processed, 'later.summary.json'));
      const status = await runCli(['status', '--config', env.ws.configFile]);
      expect(status.stdout).toContain(`Dashboard: not served: port ${port} on 127.0.0.1 is in use`);
      expect(loggedDashboardUrl(daemon.output())).toBeUndefined();
    } finally {
      daemon.process.kill('SIGTERM');
      blocker.close();
    }
    expect((await daemon.exited).code).toBe(0);
  });

  it('refuses at start to serve any other address without a token: exit 2, one plain line', async () => {
    await env.ws.writeConfig({ ...providerAt(env.sim.url), web: { host: '0.0.0.0' } });
    const result = await runCli(['start', '--config', env.ws.configFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^imei-daemon: bad configuration: web\.host: 0\.0\.0\.0 is not a loopback address; set web\.token .*\n$/);
  });
});
