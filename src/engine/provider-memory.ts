/**
 * What the daemon keeps about its provider account between starts, beside the orders: the
 * catalogue (SERVICE and CREDITS in reports, prices for the credit check) and the limit on
 * calls in flight learnt from its 429s. Both are per account, in the store's meta.
 */
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProviderClient } from '../provider/types.js';
import type { Store } from '../store/store.js';
import type { CallBudget } from './call-budget.js';

const CATALOGUE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Meta key: the account whose catalogue the store holds. */
const CATALOGUE_ACCOUNT_KEY = 'catalogueAccountId';

function learntConcurrencyKey(store: Store): string {
  return `learntConcurrency:${store.accounts.currentId}`;
}

/** The limit on calls in flight learnt from this account's 429s at an earlier start, if any. */
export function learntConcurrency(store: Store): number | undefined {
  return Number(store.getMeta(learntConcurrencyKey(store))) || undefined;
}

/** Keeps a newly learnt limit for the next start; a store that refuses it costs only a log line. */
export function rememberConcurrency(store: Store, logger: Logger, concurrency: number): void {
  try {
    store.setMeta(learntConcurrencyKey(store), String(concurrency));
    logger.info({ concurrency }, 'the provider takes this many calls at once: staying at it');
  } catch (error) {
    logger.warn({ err: describeError(error) }, 'cannot keep the learnt limit on calls in flight');
  }
}

/**
 * Fetches the catalogue when the store's is older than a day or another account's (the
 * simulator's, before a key was set). Returns whether it changed; a failure is logged, not thrown.
 */
export async function refreshCatalogue(store: Store, client: ProviderClient, budget: CallBudget, logger: Logger): Promise<boolean> {
  const fetchedAt = store.catalogueFetchedAt();
  const sameAccount = store.getMeta(CATALOGUE_ACCOUNT_KEY) === String(store.accounts.currentId);
  if (fetchedAt && sameAccount && Date.now() - Date.parse(fetchedAt) < CATALOGUE_MAX_AGE_MS) return false;
  try {
    const entries = await budget.run('read', () => client.listServices());
    store.saveCatalogue(entries, new Date().toISOString());
    store.setMeta(CATALOGUE_ACCOUNT_KEY, String(store.accounts.currentId));
    return true;
  } catch (error) {
    logger.warn({ err: describeError(error) }, 'cannot fetch the service catalogue; SERVICE and CREDITS stay empty');
    return false;
  }
}
