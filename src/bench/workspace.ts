/** One scenario's temp workspace: folders, the daemon's config file, and a staging folder for the input. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from './scenarios.js';

export interface BenchWorkspace {
  dir: string;
  inbox: string;
  processed: string;
  checkpoints: string;
  /** Outside the inbox: the input is written here, then renamed in, complete at once. */
  staging: string;
  configFile: string;
  remove(): Promise<void>;
}

/** The simulator's account; the daemon must present the same, or every call is refused. */
export const BENCH_USERNAME = 'bench';
export const BENCH_API_KEY = 'BENC-HKEY-0000-0000-0001';

/** `provider.timeoutMs`: also how long SIGTERM may wait for calls in flight. */
export const BENCH_PROVIDER_TIMEOUT_MS = 30_000;

/** How long a file must stay unchanged before the daemon reads it; small, so the wait barely counts. */
export const BENCH_STABILITY_MS = 100;

export async function createWorkspace(scenario: string): Promise<BenchWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), `imei-bench-${scenario}-`));
  const ws: BenchWorkspace = {
    dir,
    inbox: join(dir, 'inbox'),
    processed: join(dir, 'processed'),
    checkpoints: join(dir, 'checkpoints'),
    staging: join(dir, 'staging'),
    configFile: join(dir, 'config.json'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  for (const folder of [ws.inbox, ws.processed, ws.checkpoints, ws.staging]) await mkdir(folder, { recursive: true });
  return ws;
}

export interface DaemonSettings {
  providerUrl: string;
  logLevel: string;
}

/** The daemon's configuration for a scenario, merged by the daemon over config/default.json. */
export function daemonConfig(ws: BenchWorkspace, scenario: Scenario, settings: DaemonSettings): Record<string, unknown> {
  return {
    provider: {
      baseUrl: settings.providerUrl,
      username: BENCH_USERNAME,
      apiKey: BENCH_API_KEY,
      timeoutMs: BENCH_PROVIDER_TIMEOUT_MS,
      protocol: scenario.protocol ?? 'gsmfusion',
    },
    folders: { inbox: ws.inbox, processed: ws.processed, checkpoints: ws.checkpoints },
    submission: {
      batchSize: scenario.batchSize,
      concurrency: scenario.concurrency,
      maxAttempts: scenario.maxAttempts,
      retryBaseMs: scenario.retryBaseMs,
    },
    watch: { stabilityMs: BENCH_STABILITY_MS, usePolling: false },
    // No log file: stdout is parsed by the benchmark, and a file would only add writes.
    log: { level: settings.logLevel, file: '' },
    // The dashboard is on, as by default, on a free port (a daemon already running may hold 8470).
    web: { enabled: true, port: 0 },
  };
}

export async function writeDaemonConfig(ws: BenchWorkspace, config: Record<string, unknown>): Promise<void> {
  await writeFile(ws.configFile, `${JSON.stringify(config, null, 2)}\n`);
}
