import { describe, expect, it } from 'vitest';
import { UploadRefusedError } from '../../src/errors.js';
import { checkUploadName } from '../../src/web/upload.js';

const INBOX = '/srv/imei/inbox';

function refused(name: string | null, service: string | null = null): string {
  try {
    checkUploadName(INBOX, name, service);
  } catch (error) {
    expect(error).toBeInstanceOf(UploadRefusedError);
    expect((error as UploadRefusedError).status).toBe(400);
    return (error as Error).message;
  }
  throw new Error(`accepted ${String(name)}`);
}

describe('upload names', () => {
  it('takes a bare name the inbox reads, and a numeric service folder', () => {
    expect(checkUploadName(INBOX, 'orders 12.csv', null)).toEqual({ name: 'orders 12.csv', folder: '' });
    expect(checkUploadName(INBOX, '<img src=x onerror=alert(1)>.txt', '269')).toEqual({ name: '<img src=x onerror=alert(1)>.txt', folder: '269' });
  });

  it('never lets a name leave the inbox or hide in it', () => {
    for (const name of ['../x.csv', '..', 'a/b.csv', 'a\\b.csv', '/etc/passwd.csv', '..\\..\\x.csv']) {
      expect(refused(name)).toMatch(/without a folder or path/);
    }
    expect(refused('.hidden.csv')).toMatch(/would not read/);
    expect(refused('orders.csv.part')).toMatch(/would not read/);
    expect(refused('x\n.csv')).toMatch(/control characters/);
    expect(refused('x.csv', '../1')).toMatch(/numeric service id/);
    expect(refused(null)).toMatch(/name the file/);
    expect(refused(`${'a'.repeat(220)}.csv`)).toMatch(/longer than/);
  });

  it('refuses a kind of file the inbox does not read', () => {
    expect(refused('orders.exe')).toMatch(/\.exe|would not read/);
  });
});
