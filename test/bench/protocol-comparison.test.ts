import { describe, expect, it } from 'vitest';
import { protocolLines } from '../../src/bench/protocol-comparison.js';
import type { ScenarioResult } from '../../src/bench/results.js';
import { SCENARIOS } from '../../src/bench/scenarios.js';

function run(name: string, elapsedMs: number): ScenarioResult {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`scenario ${name} is gone`);
  return { scenario, elapsedMs, boundMs: 1400 } as ScenarioResult;
}

describe('the DHRU benchmark against the same file through GSM Fusion', () => {
  it('compares medians and judges the issue goal of 1.3x', () => {
    const gsm = [run('20k-200ms', 1700), run('20k-200ms', 1650), run('20k-200ms', 1720)];
    expect(protocolLines([...gsm, run('20k-200ms-dhru', 1950), run('20k-200ms-dhru', 1930), run('20k-200ms-dhru', 2020)])).toEqual([
      'DHRU: 1.95 s against 1.70 s through GSM Fusion (1.15x), medians of 3 and 3 runs: goal within 1.3x: met',
    ]);
    expect(protocolLines([...gsm, run('20k-200ms-dhru', 2300)])[0]).toMatch(/1\.35x.*MISSED$/);
    expect(protocolLines([run('20k-200ms-dhru', 2000)])).toEqual(['DHRU: run 20k-200ms-dhru and 20k-200ms together to compare them']);
    expect(SCENARIOS.find((s) => s.name === '20k-200ms-dhru')).toMatchObject({ protocol: 'dhru', warmUp: true, imeis: 20_000, latencyMs: 200 });
  });
});
