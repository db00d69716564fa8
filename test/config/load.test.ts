import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

describe('loading the configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imei-config-'));
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'default.json'), readDefault());
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function readDefault(): string {
    return readFileSync(join(REPO_ROOT, 'config', 'default.json'), 'utf8');
  }

  it('never quotes a broken file back: the API key in it stays out of the message', () => {
    const file = join(dir, 'local.json');
    writeFileSync(file, '{\n  "provider": {\n    "apiKey": ABCD-EFGH-IJKL-MNOP\n  }\n}\n');
    const error = (() => {
      try {
        loadConfig({ configFile: file, rootDir: dir, env: {} });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('ABCD');
    expect((error as Error).message).toMatch(/is not valid JSON/);
  });

  it('lets the environment override the file, and resolves relative folders against the root', () => {
    const config = loadConfig({ rootDir: dir, env: { GSMFUSION_API_KEY: 'KEY-1234', SMTP_PASSWORD: 'pw-5678' } });
    expect(config.provider.apiKey).toBe('KEY-1234');
    expect(config.alerts.smtp.pass).toBe('pw-5678');
    expect(config.simulated).toBe(false);
    expect(config.paths.inbox).toBe(join(dir, 'inbox'));
  });

  it('has the provider protocol keys of the contract, with their defaults, and names a bad one', () => {
    const defaults = loadConfig({ rootDir: dir, env: {} });
    expect(defaults.provider.protocol).toBe('gsmfusion');
    expect(defaults.provider.dhru).toEqual({ singleEncoding: 'xml', bulk: 'auto', refusesRepeats: false });
    const file = join(dir, 'dhru.json');
    writeFileSync(file, JSON.stringify({ provider: { protocol: 'dhru', dhru: { singleEncoding: 'json', bulk: 'off', refusesRepeats: true } } }));
    const dhru = loadConfig({ configFile: file, rootDir: dir, env: {} });
    expect(dhru.provider).toMatchObject({ protocol: 'dhru', dhru: { singleEncoding: 'json', bulk: 'off', refusesRepeats: true } });
    writeFileSync(file, JSON.stringify({ provider: { protocol: 'dhru', dhru: { bulk: 'sometimes' } } }));
    expect(() => loadConfig({ configFile: file, rootDir: dir, env: {} })).toThrow(/provider\.dhru\.bulk/);
  });
});
