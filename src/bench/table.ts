/** The results as text for the terminal: one table of numbers, then goals, phases and profiles per scenario. */
import type { ProfileEntry } from './cpu-profile.js';
import type { ScenarioResult } from './results.js';
import { effectiveConcurrency } from './scenarios.js';

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`;
}

function mb(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(0);
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function resultsTable(results: readonly ScenarioResult[]): string {
  const header = [
    'scenario',
    'IMEIs',
    'latency',
    'conc',
    'elapsed',
    'bound',
    'elapsed/bound',
    'calls',
    'getimeis',
    'max in flight',
    '429s',
    'orders held',
    'peak RSS MB',
    'other CPU',
    'goals',
  ];
  const rows = results.map((r) => {
    const s = r.scenario;
    const conc = s.providerMaxInFlight > 0 ? `${s.concurrency} (provider ${s.providerMaxInFlight})` : String(s.concurrency);
    const missed = r.goals.filter((g) => !g.met).length;
    return [
      s.name,
      s.imeis.toLocaleString('en-US'),
      `${s.latencyMs} ms`,
      conc,
      r.outcome === 'completed' ? seconds(r.elapsedMs) : r.outcome,
      seconds(r.boundMs),
      r.boundRatio === undefined ? '-' : `${r.boundRatio.toFixed(2)}x`,
      `${r.calls}/${r.callsNeeded}`,
      String(r.getimeisCalls),
      String(r.maxInFlight),
      String(r.rateLimited),
      r.ordersHeld.toLocaleString('en-US'),
      mb(r.peakRssMb),
      seconds(r.otherCpuMs),
      missed === 0 ? 'all met' : `${missed} missed`,
    ];
  });
  return formatTable(header, rows);
}

/** Entries of at least 0.1%: the long tail of start-up odds and ends says nothing. */
function entries(list: readonly ProfileEntry[]): string[] {
  return list.filter((e) => e.share >= 0.001).map((e) => `      ${(e.share * 100).toFixed(1).padStart(5)}%  ${String(e.ms).padStart(7)} ms  ${e.name}`);
}

/** Everything about one scenario beyond the table row. */
export function scenarioDetails(r: ScenarioResult): string {
  const s = r.scenario;
  const out: string[] = [
    `${s.name}: ${s.purpose}`,
    `  bound = ceil(${s.imeis} / ${s.batchSize} / ${effectiveConcurrency(s)}) x ${s.latencyMs} ms = ${seconds(r.boundMs)}` +
      `; input ${(r.fileBytes / 1024 / 1024).toFixed(1)} MB`,
  ];
  if (r.error) out.push(`  error: ${r.error}`);
  for (const goal of r.goals) out.push(`  [${goal.met ? 'met   ' : 'MISSED'}] ${goal.goal}: ${goal.measured}`);
  out.push(
    `  summary: ${r.summary ? JSON.stringify(r.summary) : '-'}; failed calls logged ${r.failedCallsLogged}; ` +
      `getimeis calls ${r.getimeisCalls}`,
  );
  out.push(
    `  memory: idle ${mb(r.idleRssMb)} MB, VmHWM ${mb(r.peakRssMb)} MB, sampled VmRSS peak ${mb(r.sampledPeakRssMb)} MB` +
      `; CPU: daemon ${seconds(r.daemonCpuMs)}, bench+simulator ${seconds(r.simulatorCpuMs)}, ` +
      `other processes ${seconds(r.otherCpuMs)}; iowait ${seconds(r.iowaitMs)}`,
  );
  if (r.phases.length > 0) {
    out.push('  phases (from the daemon\'s own timestamps):');
    for (const p of r.phases) {
      out.push(
        `    ${p.name.padEnd(6)} ${seconds(p.ms).padStart(9)}  cpu ${seconds(p.cpuMs).padStart(9)}  ` +
          `peak RSS ${mb(p.peakRssMb).padStart(4)} MB  (${p.covers})`,
      );
    }
  }
  if (r.livePages) {
    const l = r.livePages;
    out.push(`  live pages: ${l.pages} open while the file was sent, ${l.messagesPerPage.toFixed(1)} messages each on average, ${l.failedPages} failed`);
  }
  if (r.firstReplyMs !== undefined) {
    out.push(`  first placeorder reply ${seconds(r.firstReplyMs)} after "file read", last ${seconds(r.lastReplyMs)}`);
  }
  if (r.profile) {
    const p = r.profile;
    out.push(`  CPU profile (${p.file}): busy ${seconds(p.busyMs)}, idle ${seconds(p.idleMs)}`);
    out.push('    by step:', ...entries(p.byStep));
    out.push('    our functions (with what they call):', ...entries(p.topOwnCode));
    out.push('    hottest functions (self time):', ...entries(p.topSelf));
  }
  return out.join('\n');
}

/**
 * Per scenario run more than once: the median elapsed time and its range, e.g.
 * `20k-200ms: median 2.05 s (1.98-2.19 s) over 5 runs, 1.46x the bound`. Runs that did not
 * complete are counted apart.
 */
export function spreadLines(results: readonly ScenarioResult[]): string[] {
  const byScenario = new Map<string, ScenarioResult[]>();
  for (const result of results) byScenario.set(result.scenario.name, [...(byScenario.get(result.scenario.name) ?? []), result]);
  const lines: string[] = [];
  for (const [name, runs] of byScenario) {
    if (runs.length < 2) continue;
    const elapsed = runs.flatMap((run) => (run.elapsedMs === undefined ? [] : [run.elapsedMs])).sort((a, b) => a - b);
    const unfinished = runs.length - elapsed.length;
    const tail = unfinished > 0 ? `; ${unfinished} did not complete` : '';
    if (elapsed.length === 0) {
      lines.push(`${name}: no run completed of ${runs.length}`);
      continue;
    }
    const middle = Math.floor(elapsed.length / 2);
    const median = elapsed.length % 2 === 1 ? (elapsed[middle] as number) : ((elapsed[middle - 1] as number) + (elapsed[middle] as number)) / 2;
    const bound = runs[0]?.boundMs ?? 0;
    const ratio = bound > 0 ? `, ${(median / bound).toFixed(2)}x the bound` : '';
    const range = `${((elapsed[0] as number) / 1000).toFixed(2)}-${((elapsed[elapsed.length - 1] as number) / 1000).toFixed(2)} s`;
    lines.push(`${name}: median ${seconds(median)} (${range}) over ${elapsed.length} runs${ratio}${tail}`);
  }
  return lines;
}

function medianOf(values: readonly number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The most a scenario with open dashboard pages may be slower than the same without (issue 18). */
export const LIVE_PAGES_MAX_SLOWDOWN = 0.05;

/**
 * A scenario with open live pages against the same without them (`20k-200ms-20pages` against
 * `20k-200ms`), median against median: `20 live pages: 1.76 s against 1.75 s without (+0.6%):
 * goal within 5%: met`.
 */
export function livePagesLines(results: readonly ScenarioResult[]): string[] {
  const elapsedOf = (name: string): number[] =>
    results.filter((r) => r.scenario.name === name && r.elapsedMs !== undefined).map((r) => r.elapsedMs as number);
  const lines: string[] = [];
  for (const name of new Set(results.filter((r) => (r.scenario.livePages ?? 0) > 0).map((r) => r.scenario.name))) {
    const base = name.replace(/-\d+pages$/, '');
    const withPages = medianOf(elapsedOf(name));
    const without = medianOf(elapsedOf(base));
    const pages = results.find((r) => r.scenario.name === name)?.scenario.livePages ?? 0;
    if (withPages === undefined || without === undefined) {
      lines.push(`${pages} live pages: run ${name} and ${base} together to compare them`);
      continue;
    }
    const change = withPages / without - 1;
    const verdict = change <= LIVE_PAGES_MAX_SLOWDOWN ? 'met' : 'MISSED';
    lines.push(
      `${pages} live pages: ${seconds(withPages)} against ${seconds(without)} without (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%)` +
        `, medians of ${elapsedOf(name).length} and ${elapsedOf(base).length} runs: goal within ${LIVE_PAGES_MAX_SLOWDOWN * 100}%: ${verdict}`,
    );
  }
  return lines;
}
