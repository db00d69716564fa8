/**
 * Which provider account a configuration orders with. An order id means something only
 * together with the account that issued it (issue 13), so the store keys orders, duplicate
 * protection and history by this account.
 */

export interface ProviderAccount {
  /** Protocol, server and user name; never the API key. Stable across restarts and key rotation. */
  key: string;
  /** For people and logs: `hammerfusion.com (reseller)`, `built-in simulator`. */
  label: string;
}

/** The built-in simulator is one account of its own: its orders never answer for a real one. */
export const SIMULATOR_ACCOUNT: ProviderAccount = { key: 'simulator', label: 'built-in simulator' };

/** The account of a real provider: the server root (without a trailing slash) and the user name. */
export function providerAccount(protocol: string, baseUrl: string, username: string): ProviderAccount {
  let root = baseUrl.trim().replace(/\/+$/, '');
  let host = root;
  try {
    const url = new URL(root);
    root = `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}`;
    host = `${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    // A bad URL is refused by the configuration check; keep the text as it is.
  }
  return { key: `${protocol} ${root} ${username}`, label: username === '' ? host : `${host} (${username})` };
}
