/**
 * `npm run bench`: the real daemon against the simulator, scenario by scenario (issue 6).
 * Prints a table and writes `bench-results.json` to `--out DIR` (default: a new temp dir).
 * Exits 1 only on a crash (of the benchmark, or of the daemon mid-scenario), never because a goal
 * was missed or a scenario timed out: those are results, printed per row.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUDGET_SCENARIOS, budgetLine, runBudgetScenario } from './budget-scenarios.js';
import { DASHBOARD_SCENARIO, dashboardPaintTable, runDashboardPaint } from './dashboard-paint.js';
import { describeMachine, machineLine } from './machine.js';
import { BenchUsageError, parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import type { BenchResults } from './results.js';
import { runScenario } from './run-scenario.js';
import { quickVersion, SCENARIOS, type Scenario } from './scenarios.js';
import { livePagesLines, resultsTable, scenarioDetails, spreadLines } from './table.js';
import { protocolLines } from './protocol-comparison.js';

function chosenScenarios(options: BenchOptions): Scenario[] {
  const special = new Set([DASHBOARD_SCENARIO, ...BUDGET_SCENARIOS.map((s) => s.name)]);
  return options.scenarios.filter((name) => !special.has(name)).map((name) => {
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
  // Repeats take turns (A B A B, not A A B B): a machine that gets busier half way through
  // then weighs on every scenario alike, which a comparison of two scenarios needs.
  const runs = Array.from({ length: options.repeat }, (_, index) =>
    chosenScenarios(options).map((scenario) => ({
      scenario,
      // Each run its own log and profile folder: a profile summary must not mix runs.
      label: options.repeat > 1 ? `${scenario.name}-${index + 1}` : scenario.name,
    })),
  ).flat();
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

  for (const scenario of BUDGET_SCENARIOS.filter((s) => options.scenarios.includes(s.name))) {
    for (let run = 0; run < options.repeat; run += 1) {
      process.stdout.write(`running ${scenario.name}: ${scenario.purpose}...\n`);
      const result = await runBudgetScenario(scenario, options.logLevel);
      (results.budget ??= []).push(result);
      process.stdout.write(`${budgetLine(result)}\n\n`);
      await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    }
  }

  if (options.scenarios.includes(DASHBOARD_SCENARIO)) {
    const rows = options.quick ? 100_000 : 1_000_000;
    process.stdout.write(`running ${DASHBOARD_SCENARIO} (${rows.toLocaleString('en-US')} rows of history)...\n`);
    const dashboard = await runDashboardPaint({ rows, logLevel: options.logLevel, keepWorkspace: options.keepWorkspaces });
    results.dashboard = dashboard;
    process.stdout.write(`${dashboardPaintTable(dashboard)}\n\n`);
    await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  }

  const spread = [...spreadLines(results.results), ...livePagesLines(results.results), ...protocolLines(results.results)];
  const spreadText = spread.length > 0 ? `\n\n${spread.join('\n')}` : '';
  process.stdout.write(`${machineLine(machine)}\n${resultsTable(results.results)}${spreadText}\n\nresults: ${resultsPath}\n`);
  const crashed = results.results.filter((r) => r.outcome === 'error' || r.outcome === 'daemon-exited');
  return crashed.length > 0 || results.dashboard?.error !== undefined ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
