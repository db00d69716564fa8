/**
 * The provider half of opening the daemon: which account it orders with, the built-in
 * simulator when no API key is configured, and the client (in its own thread) with the
 * protocol's capabilities applied to the store before anything is recovered or sent.
 */
import type { ResolvedConfig } from './config/load.js';
import { describeError } from './errors.js';
import { DaemonEvents } from './events/daemon-events.js';
import { observeCalls } from './events/observed-client.js';
import { applyCapabilities, providerClientOptions } from './engine/protocol-setup.js';
import type { Logger } from './log.js';
import { providerAccount, SIMULATOR_ACCOUNT } from './provider/account.js';
import { ThreadedProviderClient } from './provider/index.js';
import type { ProviderClient } from './provider/types.js';
import { startSimulator, type Simulator } from './simulator/index.js';
import type { Store } from './store/store.js';

export interface ProviderConnection {
  /** Every call reported as an event (dashboard, metrics), whichever protocol it speaks. */
  client: ProviderClient;
  simulator: Simulator | undefined;
  events: DaemonEvents;
}

export async function connectProvider(
  config: ResolvedConfig,
  store: Store,
  logger: Logger,
  events: DaemonEvents | undefined,
): Promise<ProviderConnection> {
  const account = config.simulated
    ? SIMULATOR_ACCOUNT
    : providerAccount(config.provider.protocol, config.provider.baseUrl, config.provider.username);
  store.accounts.select(account.key, account.label, new Date().toISOString());
  let simulator: Simulator | undefined;
  let baseUrl = config.provider.baseUrl;
  if (config.simulated) {
    simulator = await startSimulator({ latencyMs: config.simulator.latencyMs, protocol: config.provider.protocol });
    baseUrl = simulator.url;
    logger.warn(
      { simulator: simulator.url },
      'SIMULATED: no API key configured; orders go to the built-in simulator and nothing real is ordered',
    );
  } else {
    logger.info({ provider: baseUrl, user: config.provider.username }, `ordering from ${baseUrl} as ${config.provider.username}`);
  }
  try {
    const client = new ThreadedProviderClient(providerClientOptions(config, baseUrl, store));
    // Before anything is recovered or sent: whether unknown rows may be resent, IMEIs per call.
    applyCapabilities(store, client.capabilities(), config, new Date().toISOString());
    store.loadServiceRefusals();
    const stream = events ?? new DaemonEvents((name, error) => logger.warn({ event: name, err: describeError(error) }, 'an event listener failed'));
    return { client: observeCalls(client, stream, { secrets: [config.provider.apiKey] }), simulator, events: stream };
  } catch (error) {
    await simulator?.close();
    throw error;
  }
}
