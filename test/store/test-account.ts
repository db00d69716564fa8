import type { Store } from '../../src/store/store.js';

/** The provider account tests order with, as the daemon selects its own at start. */
export const TEST_ACCOUNT = { key: 'gsmfusion http://127.0.0.1 test', label: '127.0.0.1 (test)' };

/** Selects the test account on a fresh store (every transition that orders needs one) and returns it. */
export function withTestAccount(store: Store): Store {
  store.accounts.select(TEST_ACCOUNT.key, TEST_ACCOUNT.label, new Date().toISOString());
  return store;
}
