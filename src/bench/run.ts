/**
 * `npm run bench`: the real daemon against the simulator, scenario by scenario (issue 6).
 * Prints a table and writes `bench-results.json` to `--out DIR` (default: a new temp dir).
 * Exits 1 only on a crash (of the benchmark, or of the daemon mid-scenario), never because a goal
 * was missed or a scenario timed out: those are results, printed per row.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeMachine, machineLine } from './machine.js';
import { BenchUsageError, parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import type { BenchResults } from './results.js';
import { runScenario } from './run-scenario.js';
import { quickVersion, SCENARIOS, type Scenario } from './scenarios.js';
import { resultsTable, scenarioDetails, spreadLines } from './table.js';

function chosenScenarios(options: BenchOptions): Scenario[] {
  return options.scenarios.map((name) => {
    const scenario = SCENARIOS.find((s) => s.name === name) as Scenario;
    return options.quick ? quickVersion(scenario) : scenario;
  });
}

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const outDir = options.outDir ? resolve(options.outDir) : await mkdtemp(join(tmpdir(), 'imei-bench-results-'));
  await mkdir(outDir, { recursive: true });
  const machine = await describeMachine();
  process.stdout.write(`${machineLine(machine)}\n\n`);

  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    quick: options.quick,
    daemonLogLevel: options.logLevel,
    machine,
    results: [],
  };
  const resultsPath = join(outDir, 'bench-results.json');
  const runs = chosenScenarios(options).flatMap((scenario) =>
    Array.from({ length: options.repeat }, (_, index) => ({
      scenario,
      // Each run its own log and profile folder: a profile summary must not mix runs.
      label: options.repeat > 1 ? `${scenario.name}-${index + 1}` : scenario.name,
    })),
  );
  for (const { scenario, label } of runs) {
    process.stdout.write(`running ${scenario.name} (${scenario.imeis.toLocaleString('en-US')} IMEIs)...\n`);
    const result = await runScenario(scenario, {
      timeoutMs: options.timeoutMs ?? scenario.timeoutMs,
      logLevel: options.logLevel,
      logFile: join(outDir, 'logs', `${label}.jsonl`),
      profileDir: options.cpuProfile ? join(outDir, 'profiles', label) : undefined,
      keepWorkspace: options.keepWorkspaces,
    });
    results.results.push(result);
    process.stdout.write(`${scenarioDetails(result)}\n\n`);
    // Written after every scenario, so a long run interrupted half way still leaves its numbers.
    await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  }

  const spread = spreadLines(results.results);
  const spreadText = spread.length > 0 ? `\n\n${spread.join('\n')}` : '';
  process.stdout.write(`${machineLine(machine)}\n${resultsTable(results.results)}${spreadText}\n\nresults: ${resultsPath}\n`);
  const crashed = results.results.filter((r) => r.outcome === 'error' || r.outcome === 'daemon-exited');
  return crashed.length > 0 ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
