import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

describe('the web.* configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imei-web-config-'));
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'default.json'), readFileSync(join(REPO_ROOT, 'config', 'default.json'), 'utf8'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function load(web: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): ReturnType<typeof loadConfig> {
    const file = join(dir, 'local.json');
    writeFileSync(file, JSON.stringify({ web }));
    return loadConfig({ configFile: file, rootDir: dir, env });
  }

  function refusal(web: Record<string, unknown>): string {
    try {
      load(web);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  }

  it('defaults to the loopback address, port 8470, no token, uploads on', () => {
    expect(load({}).web).toEqual({ enabled: true, host: '127.0.0.1', port: 8470, token: '', upload: true });
  });

  it('refuses any other address without a token, naming the key', () => {
    expect(refusal({ host: '0.0.0.0' })).toMatch(/^bad configuration: web\.host: 0\.0\.0\.0 is not a loopback address; set web\.token/);
    expect(load({ host: '::1' }).web.host).toBe('::1');
    expect(load({ host: '0.0.0.0', token: 'a-long-enough-token-1234' }).web.host).toBe('0.0.0.0');
    expect(load({ host: '0.0.0.0', enabled: false }).web.enabled).toBe(false);
  });

  it('refuses a short token without quoting it', () => {
    const message = refusal({ token: 'short-secret' });
    expect(message).toMatch(/^bad configuration: web\.token: must be empty or at least 16 characters/);
    expect(message).not.toContain('short-secret');
  });

  it('takes the token from IMEI_DAEMON_WEB_TOKEN', () => {
    expect(load({ host: '0.0.0.0' }, { IMEI_DAEMON_WEB_TOKEN: 'from-the-environment-42' }).web.token).toBe('from-the-environment-42');
  });
});
