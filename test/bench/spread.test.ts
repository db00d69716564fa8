import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../src/bench/options.js';
import type { ScenarioResult } from '../../src/bench/results.js';
import { SCENARIOS } from '../../src/bench/scenarios.js';
import { spreadLines } from '../../src/bench/table.js';

const SCENARIO = SCENARIOS.find((s) => s.name === '20k-200ms');

function run(elapsedMs: number | undefined): ScenarioResult {
  if (!SCENARIO) throw new Error('scenario 20k-200ms is gone');
  return { scenario: SCENARIO, elapsedMs, boundMs: 1400 } as ScenarioResult;
}

describe('repeated benchmark runs', () => {
  it('parses --repeat, and refuses anything but a whole number of runs', () => {
    expect(parseBenchOptions([]).repeat).toBe(1);
    expect(parseBenchOptions(['--repeat', '5']).repeat).toBe(5);
    expect(() => parseBenchOptions(['--repeat', '0'])).toThrow(/--repeat/);
    expect(() => parseBenchOptions(['--repeat', '2.5'])).toThrow(/--repeat/);
  });

  it('gives each scenario run more than once its median and range, and counts runs that did not complete', () => {
    const lines = spreadLines([run(2100), run(1980), run(2190), run(2050), run(undefined)]);
    expect(lines).toEqual(['20k-200ms: median 2.08 s (1.98-2.19 s) over 4 runs, 1.48x the bound; 1 did not complete']);
    expect(spreadLines([run(2000)])).toEqual([]);
  });
});
