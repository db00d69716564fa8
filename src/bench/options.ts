/** The benchmark's command line. */
import { parseArgs } from 'node:util';
import { DASHBOARD_SCENARIO } from './dashboard-paint.js';
import { SCENARIOS } from './scenarios.js';
import { BUDGET_SCENARIOS } from './budget-scenarios.js';

/** Not `warn`: the daemon says `watching the inbox` at info, and that is how readiness is seen. */
export type DaemonLogLevel = 'info' | 'debug';

export interface BenchOptions {
  /** Where `bench-results.json` (and profiles) go. Default: a new temp dir, printed at the end. */
  outDir: string | undefined;
  /** Scenario names to run, in the order given. Default: all of them. */
  scenarios: string[];
  /** Sizes divided by 10, for a smoke run. Default false. */
  quick: boolean;
  /** Every scenario's limit before it is reported as a timeout. Default: each scenario's own (5 min; 15 for 1m-instant). */
  timeoutMs: number | undefined;
  /**
   * The daemon's `log.level`. Default `info`: the daemon says `watching the inbox` and
   * `file read` at info, which is how readiness and the intake time are seen; nothing is
   * logged per batch at info. `debug` adds one line per `placeorder` reply (first/last reply
   * times), at a small cost.
   */
  logLevel: DaemonLogLevel;
  /** Run the daemon under `node --cpu-prof` and summarise where its CPU time went. Default false. */
  cpuProfile: boolean;
  /** Keep each scenario's temp workspace (inbox, processed, database) for inspection. Default false. */
  keepWorkspaces: boolean;
  /**
   * Runs of each scenario, one after another. Default 1. On a shared VM one run can be a fifth
   * off; with several, the table ends with each scenario's median and range.
   */
  repeat: number;
  help: boolean;
}

export const USAGE = `usage: node dist/bench/run.js [options]
  --scenario NAME   run only this scenario (repeatable): ${[...SCENARIOS.map((s) => s.name), ...BUDGET_SCENARIOS.map((s) => s.name), DASHBOARD_SCENARIO].join(', ')}
  --quick           sizes divided by 10 (smoke run)
  --out DIR         write bench-results.json here (default: a new temp dir)
  --timeout-s N     per-scenario limit, reported as a timeout (default 300; 900 for 1m-instant)
  --log-level L     the daemon's log level: info or debug (default info)
  --cpu-prof        profile the daemon (node --cpu-prof) and summarise its CPU time
  --keep            keep each scenario's temp workspace
  --repeat N        run each scenario N times and print the median and range (default 1)
  --help            this text`;

export class BenchUsageError extends Error {}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        scenario: { type: 'string', multiple: true },
        quick: { type: 'boolean' },
        out: { type: 'string' },
        'timeout-s': { type: 'string' },
        'log-level': { type: 'string' },
        'cpu-prof': { type: 'boolean' },
        keep: { type: 'boolean' },
        repeat: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
  const { values } = parsed;
  const all = [...SCENARIOS.map((s) => s.name), ...BUDGET_SCENARIOS.map((s) => s.name), DASHBOARD_SCENARIO];
  const known = new Set(all);
  const scenarios = values.scenario ?? all;
  for (const name of scenarios) {
    if (!known.has(name)) throw new BenchUsageError(`unknown scenario "${name}"`);
  }
  const timeoutSeconds = values['timeout-s'] === undefined ? undefined : Number(values['timeout-s']);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) {
    throw new BenchUsageError('--timeout-s must be a number of seconds above 0');
  }
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new BenchUsageError('--repeat must be a whole number of runs, 1 or more');
  const logLevel = values['log-level'] ?? 'info';
  if (logLevel !== 'info' && logLevel !== 'debug') {
    throw new BenchUsageError('--log-level must be info or debug');
  }
  return {
    outDir: values.out,
    scenarios,
    quick: values.quick === true,
    timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
    logLevel,
    cpuProfile: values['cpu-prof'] === true,
    keepWorkspaces: values.keep === true,
    repeat,
    help: values.help === true,
  };
}
