/**
 * Issue 14, points 6 and 7: the README's quick start, run as a new user would: no API key, so the
 * built-in simulator; the example IMEIs are valid, so the first sight is a clean report; every row
 * of that report says it was simulated. And the service set-up commands run as the repository's
 * owner with a home of their own, so they work.
 */
import { readFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isValidImei } from '../../src/intake/index.js';
import { SIMULATED_MARK } from '../../src/report/report-layout.js';
import { readWorkbook } from '../report/workbook-rows.js';
import { makeWorkspace, readReport, readSummary, runCli } from './harness.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The text of a README section, from its heading to the next one. */
function section(heading: string): string {
  const start = README.indexOf(`\n## ${heading}\n`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end === -1 ? undefined : end);
}

describe('the quick start, as the README tells it', () => {
  it('orders its example IMEIs on the simulator, and the report says on every row that it was simulated', async () => {
    const quickStart = section('Quick start');
    const printf = /printf '([^']+)' > inbox\/first\.csv/.exec(quickStart);
    expect(printf, 'the quick start drops inbox/first.csv with printf').not.toBeNull();
    const content = (printf?.[1] ?? '').replace(/\\n/g, '\n');
    const imeis = content.split('\n').slice(1).filter((line) => line !== '');
    expect(imeis.length).toBeGreaterThan(0);
    for (const imei of imeis) expect(isValidImei(imei), imei).toBe(true);

    const ws = await makeWorkspace();
    try {
      // No API key: the built-in simulator, as for a new user.
      await ws.writeConfig({ simulator: { latencyMs: 5 }, web: { enabled: false } });
      await writeFile(join(ws.inbox, 'first.csv'), content);
      const run = await runCli(['run-once', '--config', ws.configFile]);
      expect(run.code, run.stderr).toBe(0);

      const listed = /ls processed\/\s+# (.+)/.exec(quickStart)?.[1]?.split(/\s+/) ?? [];
      expect((await readdir(ws.processed)).sort()).toEqual([...listed].sort());
      const report = await readReport(join(ws.processed, 'first.report.csv'));
      expect(report.map((row) => row.STATUS)).toEqual(imeis.map(() => 'Pending'));
      for (const row of report) expect(row.NOTE?.startsWith(SIMULATED_MARK)).toBe(true);
      const [sheet] = await readWorkbook(join(ws.processed, 'first.report.xlsx'));
      expect(sheet?.name).toBe('SIMULATED report');
      expect(await readSummary(join(ws.processed, 'first.summary.json'))).toMatchObject({
        simulated: true,
        accepted: imeis.length,
        orderSuccessRate: 1,
      });
    } finally {
      await ws.cleanup();
    }
  });
});

describe('running it as a service, as the README tells it', () => {
  const commands = section('Run it as a service')
    .split('\n')
    .filter((line) => /^(sudo |cd |journalctl)/.test(line.trim()) || /&& sudo /.test(line));

  it('runs git, npm and npx as the repository owner, with that owner\'s own home', () => {
    const tools = commands.filter((line) => /\b(git (clone|pull)|npm ci|npx )/.test(line));
    expect(tools.length).toBeGreaterThanOrEqual(4);
    for (const line of tools) {
      for (const use of line.split('&&').filter((part) => /\b(git (clone|pull)|npm ci|npx )/.test(part))) {
        expect(use.trim(), line).toMatch(/^(cd \S+ && )?sudo -u imei -H /);
      }
    }
  });

  it('gives the daemon a home and staff a group whose shared folders are setgid, and a unit with UMask 0007', () => {
    const text = commands.join('\n');
    expect(text).toMatch(/useradd .*--create-home .*--home-dir \S+ .*imei/);
    expect(text).toMatch(/groupadd .*imei-staff/);
    expect(text).toMatch(/chgrp imei-staff inbox processed && sudo chmod 2770 inbox processed/);
    const unit = readFileSync(new URL('../../config/imei-daemon.service', import.meta.url), 'utf8');
    expect(unit).toMatch(/^UMask=0007$/m);
    expect(unit).toMatch(/^SupplementaryGroups=imei-staff$/m);
  });
});
