import { prettyFactory } from 'pino-pretty';
import { describe, expect, it } from 'vitest';
import { PRETTY_OPTIONS } from '../../src/log.js';

/** The terminal's rendering of one log record, as the daemon configures pino-pretty (colours off). */
function onTerminal(record: Record<string, unknown>): string {
  return prettyFactory({ ...PRETTY_OPTIONS, colorize: false })({ level: 40, time: Date.parse('2026-01-01T10:00:00Z'), ...record });
}

describe('the log on a terminal', () => {
  it('shows an alert body as the text it is, indented under its line, not as a JSON string', () => {
    const body = 'FILES BELOW 80% SUCCESS\nFewer than 80% of the rows were ordered:\n  - a.csv: 10 rows, 0% success\n\nWhat to do:\n  * retry\n';
    const shown = onTerminal({ msg: 'alert (no recipients or SMTP host configured): imei-daemon: a.csv below 80% success (0%)', body });
    expect(shown).toContain('a.csv below 80% success (0%)\n    FILES BELOW 80% SUCCESS\n    Fewer than 80%');
    expect(shown).toContain('\n      - a.csv: 10 rows, 0% success\n\n    What to do:\n');
    expect(shown).not.toContain('\\n');
    expect(shown).not.toContain('"body"');
  });

  it('keeps every other record on one line, its fields as JSON', () => {
    expect(onTerminal({ msg: 'file read', file: 'a.csv', rows: 3 }).trimEnd()).toMatch(/WARN: file read \{"file":"a\.csv","rows":3\}$/);
  });
});
