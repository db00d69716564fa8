/**
 * `GET /healthz`: the process runs (no token, no database). `GET /readyz`: whether the daemon
 * can do its work, each check named: the database takes writes (the main thread's probe) and
 * this thread can read it, the inbox is watched and readable, and the provider answered its
 * last call (or none was made yet) with the credentials accepted. 503 when any check fails.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { RequestContext } from './app.js';
import { DatabaseUnreadableError } from '../errors.js';
import { sendJson } from './respond.js';

interface Check {
  ok: boolean;
  detail: string;
}

export function healthz(context: RequestContext): void {
  sendJson(context.response, 200, { status: 'ok' });
}

async function databaseCheck(context: RequestContext): Promise<Check> {
  const { app } = context;
  if (!app.live.health.databaseWritable) return { ok: false, detail: 'the database refuses writes (disk full or read-only?)' };
  try {
    app.read((db) => db.prepare('SELECT 1').get());
    return { ok: true, detail: 'writable' };
  } catch (error) {
    if (error instanceof DatabaseUnreadableError) return { ok: false, detail: error.message };
    throw error;
  }
}

async function inboxCheck(context: RequestContext): Promise<Check> {
  const { app } = context;
  try {
    await access(app.options.inboxDir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    return { ok: false, detail: 'the inbox folder cannot be read or written' };
  }
  return app.live.health.watching ? { ok: true, detail: 'watched' } : { ok: false, detail: 'the inbox is not watched yet' };
}

function providerCheck(context: RequestContext): Check & { lastContactAt: string | null } {
  const { live } = context.app;
  const provider = live.provider;
  const lastContactAt = provider.lastContactAt;
  if (provider.credentialsRefused || live.health.submissionHalted) {
    return { ok: false, detail: 'the provider refused the credentials', lastContactAt };
  }
  if (provider.reachable === false) {
    return { ok: false, detail: `not answering since ${provider.since ?? 'the last call'}`, lastContactAt };
  }
  return { ok: true, detail: provider.reachable === null ? 'no call since the dashboard started' : 'answered the last call', lastContactAt };
}

export async function readyz(context: RequestContext): Promise<void> {
  const checks = {
    database: await databaseCheck(context),
    inbox: await inboxCheck(context),
    provider: providerCheck(context),
  };
  const ready = Object.values(checks).every((check) => check.ok);
  sendJson(context.response, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
}
