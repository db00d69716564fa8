import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '../../src/log.js';

const API_KEY = 'ABCD-EFGH-IJKL-MNOP-QRST';
const SMTP_PASS = 'hunter2-smtp';

describe('secrets never reach a log line', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'imei-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('blanks secret values in messages, errors and nested objects, and known key paths', async () => {
    const logger = await createLogger({ level: 'info', file: join(dir, 'd.log'), secrets: [API_KEY, SMTP_PASS], stdout: false });
    logger.info({ provider: { apiKey: API_KEY, username: 'me' } }, 'configured');
    logger.warn({ err: new Error(`call failed for key ${API_KEY}`) }, `retrying with ${API_KEY}`);
    logger.error({ alerts: { smtp: { pass: SMTP_PASS } }, detail: { deeper: [`pass=${SMTP_PASS}`] } }, 'mail failed');
    logger.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const text = readdirSync(dir)
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('');
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(SMTP_PASS);
    expect(text).toContain('[redacted]');
    expect(text).toContain('"username":"me"');
  });

  it('leaves very short secrets alone rather than blanking every "1" in a log', () => {
    expect(redactSecrets('row 1 of 10', ['1'])).toBe('row 1 of 10');
    expect(redactSecrets('key=secret-value', ['secret-value'])).toBe('key=[redacted]');
  });
});
