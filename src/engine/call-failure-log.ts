/**
 * Log lines for failed `placeorder` calls that tell an outage once rather than once per try of
 * every batch: with the provider unreachable, 20 batches of 3 tries each wrote some 80 warnings
 * in 40 seconds, none naming the server. The first failure of a kind is a warning that names the
 * provider (the logger's `provider` binding, see daemon.ts); the same failure again within
 * QUIET_MS is logged at debug level, so the log file still holds every try. A try cut short by a
 * stop is not a failure to warn about at all.
 */
import type { Logger } from '../log.js';

/** How long the same failure stays a debug line after its warning. */
export const QUIET_MS = 10 * 60_000;

export interface FailedTry {
  batch: number;
  /** 1 for the first try. */
  attempt: number;
  /** Tries the batch has left after this one; undefined for a rate-limit reply, which is free. */
  triesLeft: number | undefined;
  error: Error;
  /** A rate-limit reply (HTTP 429): expected, never a warning. */
  rateLimited: boolean;
  /** The daemon is stopping: the try was cut short on purpose. */
  stopping: boolean;
}

/** When each failure text was last warned about, per logger (one per submitter). */
const lastWarned = new WeakMap<Logger, Map<string, number>>();

/** Whether this text deserves a warning now; remembers that it got one. */
function firstInAWhile(logger: Logger, text: string, now: number): boolean {
  let seen = lastWarned.get(logger);
  if (!seen) {
    seen = new Map();
    lastWarned.set(logger, seen);
  }
  const last = seen.get(text);
  if (last !== undefined && now - last < QUIET_MS) return false;
  seen.set(text, now);
  return true;
}

/** The server as the logger names it, for the message itself (a terminal shows no bindings). */
function providerOf(logger: Logger): string {
  const provider = (logger.bindings() as { provider?: unknown }).provider;
  return typeof provider === 'string' && provider !== '' ? ` (${provider})` : '';
}

export function logFailedTry(logger: Logger, failure: FailedTry, now = Date.now()): void {
  const fields = { batch: failure.batch, attempt: failure.attempt, triesLeft: failure.triesLeft, err: failure.error.message };
  if (failure.stopping) {
    logger.debug(fields, 'placeorder call ended by the stop; the next start resumes the batch');
    return;
  }
  if (failure.rateLimited || !firstInAWhile(logger, failure.error.message, now)) {
    logger.debug(fields, 'placeorder call failed');
    return;
  }
  logger.warn(
    fields,
    `placeorder call failed${providerOf(logger)}: ${failure.error.message}; ` +
      'the same failure is logged at debug level for the next 10 minutes',
  );
}

/** A batch used up its tries: said once per kind of failure in a while, like the tries. */
export function logBatchGaveUp(logger: Logger, batch: number, message: string, now = Date.now()): void {
  const fields = { batch, err: message };
  const text = 'batch gave up after its tries; the retry schedule takes over';
  if (firstInAWhile(logger, `gave up: ${message}`, now)) logger.warn(fields, `${text}${providerOf(logger)}`);
  else logger.debug(fields, text);
}
