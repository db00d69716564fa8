import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  providerAt,
  runCli,
  startCli,
  useSimulatedWorkspace,
  validImeis,
  waitFor,
  waitForFile,
} from './harness.js';

describe("the operator's commands against a running daemon", () => {
  const env = useSimulatedWorkspace({ latencyMs: 400 });

  it('status, services and history tell what the daemon is doing', async () => {
    await env.ws.writeConfig({ ...providerAt(env.sim.url), submission: { concurrency: 1 } });
    const daemon = startCli(['start', '--config', env.ws.configFile]);
    const imeis = validImeis(1000, 50);
    try {
      await waitFor(() => daemon.output().includes('watching the inbox'), 'daemon up');
      await writeFile(join(env.ws.inbox, 'orders.csv'), `IMEI\n${imeis.join('\n')}\n`);

      // While the file is being sent: in progress, with a progress bar.
      await waitFor(() => env.sim.stats().placeorderCalls >= 2, 'submission under way');
      const during = await runCli(['status', '--config', env.ws.configFile]);
      expect(during.code, during.stderr).toBe(0);
      expect(during.stdout).toMatch(/In progress:\n {2}\[[#.]{20}\] orders\.csv: [\d,]+ of 1,000 rows \(\d+%\)/);
      const json = JSON.parse((await runCli(['status', '--json', '--config', env.ws.configFile])).stdout) as {
        filesInProgress: { file: string; rows: number }[];
      };
      expect(json.filesInProgress).toMatchObject([{ file: 'orders.csv', rows: 1000 }]);

      await waitForFile(join(env.ws.processed, 'orders.summary.json'));
      // One line per finished file, in the words users know.
      await waitFor(() => /orders\.csv: 1,000 rows in [\d.]+ s: 1,000 ordered \(100\.0%\)/.test(daemon.output()), 'summary line');

      const after = await runCli(['status', '--config', env.ws.configFile]);
      expect(after.stdout).toContain('In progress: nothing');
      expect(after.stdout).toMatch(/Finished today:\n {2}orders\.csv: 1000 rows, 1000 ordered \(100\.0%\)/);
      expect(after.stdout).toContain('Failed rows waiting for retry: 0');

      const services = await runCli(['services', '--config', env.ws.configFile]);
      expect(services.code).toBe(0);
      expect(services.stdout).toMatch(/^ID\s+SERVICE\s+PRICE\s+DELIVERY/);
      expect(services.stdout).toMatch(/1739\s+.*\$0\.08/);
      const samsung = await runCli(['services', '--search', 'samsung', '--config', env.ws.configFile]);
      expect(samsung.stdout).toContain('269');
      expect(samsung.stdout).not.toMatch(/^1739 /m);

      const order = env.sim.orders().find((o) => o.imei === imeis[7]);
      const history = await runCli(['history', imeis[7] as string, '--config', env.ws.configFile]);
      expect(history.code).toBe(0);
      expect(history.stdout).toContain(`order ${order?.orderId}`);
      expect(history.stdout).toContain('orders.csv');
    } finally {
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);
  });

  it('status and history work with the daemon stopped, and say plainly when nothing is known', async () => {
    await env.ws.writeConfig(providerAt(env.sim.url));
    const empty = await runCli(['status', '--config', env.ws.configFile]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/Nothing yet/);
    const unknown = await runCli(['history', '353979106673567', '--config', env.ws.configFile]);
    expect(unknown.code).toBe(0);
    expect(unknown.stdout.trim().split('\n')).toHaveLength(1);
  });
});
