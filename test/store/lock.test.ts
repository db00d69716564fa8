import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LockHeldError } from '../../src/errors.js';
import { PID_FILE, acquireFolderLock, type FolderLock } from '../../src/store/lock.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Today's `src/store/lock.ts` (and the error it throws), transpiled to CommonJS in `dir`, so a
 * child process holds the lock with the code under test rather than with a stale build.
 */
function writeChildLock(dir: string): string {
  for (const [source, target] of [
    ['src/errors.ts', 'errors.js'],
    ['src/store/lock.ts', 'store/lock.js'],
  ] as const) {
    const { outputText } = ts.transpileModule(readFileSync(join(ROOT, source), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    mkdirSync(dirname(join(dir, target)), { recursive: true });
    writeFileSync(join(dir, target), outputText);
  }
  const script = join(dir, 'holder.js');
  writeFileSync(
    script,
    `const { acquireFolderLock } = require('./store/lock.js');
try {
  const lock = acquireFolderLock(process.argv[2]);
  process.on('SIGTERM', () => { lock.release(); process.exit(0); });
  process.stdout.write('held\\n');
  setInterval(() => {}, 60000);
} catch (error) {
  process.stdout.write(error.name + ': ' + error.message + '\\n');
  process.exit(3);
}
`,
  );
  return script;
}

interface Holder {
  child: ChildProcess;
  /** What the child printed once it had the lock, or why it could not take it. */
  said: Promise<string>;
  exited: Promise<number | null>;
}

function startHolder(script: string, folder: string): Holder {
  // NODE_PATH lets the CommonJS copy find better-sqlite3 from outside the repository.
  const child = spawn(process.execPath, [script, folder], {
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const said = new Promise<string>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, said, exited };
}

/** The process state letter from /proc (`Z`: exited, not yet reaped), where there is a /proc. */
function procState(pid: number): string | undefined {
  try {
    return /\) (\w) /.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

describe('the checkpoints folder lock', () => {
  let scratch: string;
  let folder: string;
  let holderScript: string;
  const holders: Holder[] = [];
  const locks: FolderLock[] = [];

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'imei-daemon-lock-'));
    holderScript = writeChildLock(join(scratch, 'child'));
    return () => rmSync(scratch, { recursive: true, force: true });
  });
  beforeEach(() => {
    folder = mkdtempSync(join(scratch, 'checkpoints-'));
  });
  afterEach(async () => {
    for (const lock of locks.splice(0)) lock.release();
    for (const holder of holders.splice(0)) {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
  });

  function take(): FolderLock {
    const lock = acquireFolderLock(folder);
    locks.push(lock);
    return lock;
  }

  function hold(): Holder {
    const holder = startHolder(holderScript, folder);
    holders.push(holder);
    return holder;
  }

  it('admits one holder at a time, and may be released twice', () => {
    const first = take();
    expect(readFileSync(join(folder, PID_FILE), 'utf8')).toBe(`${process.pid}\n`);
    expect(() => acquireFolderLock(folder)).toThrow(LockHeldError);
    first.release();
    first.release();
    expect(existsSync(join(folder, PID_FILE))).toBe(false);
    take().release();
  });

  it('keeps another process out while held, naming the holder', async () => {
    take();
    const second = hold();
    expect(await second.exited).toBe(3);
    expect(await second.said).toBe(
      `LockHeldError: another imei-daemon (pid ${process.pid}) is already using the checkpoints folder ${folder}`,
    );
  });

  it('is refused while another process holds it, and free once that one releases it', async () => {
    const other = hold();
    expect(await other.said).toBe('held');
    const pid = other.child.pid as number;
    expect(() => acquireFolderLock(folder)).toThrow(`another imei-daemon (pid ${pid}) is already using the checkpoints folder`);
    other.child.kill('SIGTERM');
    expect(await other.exited).toBe(0);
    take();
  });

  it('is free as soon as its holder is SIGKILLed, before the dead process is reaped', async () => {
    const other = hold();
    expect(await other.said).toBe('held');
    const pid = other.child.pid as number;
    other.child.kill('SIGKILL');
    // Synchronous from the kill on: this event loop cannot reap the child until the test returns.
    expect(() => take()).not.toThrow();
    const state = procState(pid);
    if (state !== undefined) expect(state).toBe('Z');
    await other.exited;
  });

  it('is not blocked by the previous version’s daemon.lock naming a live process', () => {
    // After a reboot the recorded pid may belong to anything alive: here, this test runner.
    writeFileSync(join(folder, 'daemon.lock'), `${process.pid}\n`);
    take();
    expect(existsSync(join(folder, 'daemon.lock'))).toBe(false);
  });

  it('creates its files readable by the owner only', () => {
    take();
    expect(statSync(join(folder, 'daemon.lock.sqlite')).mode & 0o077).toBe(0);
    expect(statSync(join(folder, PID_FILE)).mode & 0o077).toBe(0);
  });
});
