/**
 * A DHRU scenario against the same file through GSM Fusion (issue 19): `20k-200ms-dhru` against
 * `20k-200ms`, median against median, judged by the goal of at most 1.3x.
 */
import type { ScenarioResult } from './results.js';

/** The most a DHRU scenario may take against the same through GSM Fusion. */
export const DHRU_MAX_RATIO = 1.3;

function medianOf(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `DHRU: 1.98 s against 1.71 s through GSM Fusion (1.16x), medians of 3 and 3 runs: goal within 1.3x: met`. */
export function protocolLines(results: readonly ScenarioResult[]): string[] {
  const elapsedOf = (name: string): number[] =>
    results.filter((r) => r.scenario.name === name && r.elapsedMs !== undefined).map((r) => r.elapsedMs as number);
  const lines: string[] = [];
  for (const name of new Set(results.filter((r) => r.scenario.protocol === 'dhru').map((r) => r.scenario.name))) {
    const base = name.replace(/-dhru$/, '');
    const dhru = medianOf(elapsedOf(name));
    const gsm = medianOf(elapsedOf(base));
    if (dhru === undefined || gsm === undefined) {
      lines.push(`DHRU: run ${name} and ${base} together to compare them`);
      continue;
    }
    const ratio = dhru / gsm;
    lines.push(
      `DHRU: ${(dhru / 1000).toFixed(2)} s against ${(gsm / 1000).toFixed(2)} s through GSM Fusion (${ratio.toFixed(2)}x), ` +
        `medians of ${elapsedOf(name).length} and ${elapsedOf(base).length} runs: goal within ${DHRU_MAX_RATIO}x: ${ratio <= DHRU_MAX_RATIO ? 'met' : 'MISSED'}`,
    );
  }
  return lines;
}
