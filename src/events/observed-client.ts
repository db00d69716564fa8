/**
 * A provider client that reports every call as a `call` event: what was asked, how it ended,
 * how long it took. It wraps whichever client the daemon builds (any protocol), so the engine
 * and the client stay as they are and the dashboard and metrics still see every call.
 */
import { ProviderAuthError, ProviderError } from '../errors.js';
import type { CatalogueEntry, OrderResult, PlaceOrderResult, ProviderClient } from '../provider/types.js';
import { scrubSecrets } from '../secrets.js';
import type { CallEvent, CallOutcome, DaemonEvents } from './daemon-events.js';

/** How a thrown value is counted. Anything not a ProviderError may have placed orders. */
export function outcomeOf(error: unknown): CallOutcome {
  if (error instanceof ProviderAuthError) return 'bad_credentials';
  if (!(error instanceof ProviderError)) return 'unknown_outcome';
  if (error.details.rateLimited === true) return 'rate_limited';
  if (error.failureClass === 'safe') return 'failed';
  if (error.failureClass === 'permanent') return 'refused';
  return 'unknown_outcome';
}

export interface ObservedClientOptions {
  /** Taken out of any error message before it leaves (the API key). Default none. */
  secrets?: readonly string[];
  /** The clock, for tests. Default `performance.now` and `Date`. */
  now?: () => number;
}

type Described<T> = (result: T) => Partial<CallEvent>;

/** Which calls are reported, and what each answer adds to its event. */
const OBSERVED = {
  listServices: { action: 'list_services', items: () => 0, describe: (() => ({})) as Described<CatalogueEntry[]> },
  placeOrder: {
    action: 'place_order',
    items: (args: unknown[]) => (args[1] as readonly string[]).length,
    describe: ((result) => ({
      placed: result.placed.length,
      duplicates: result.duplicates.length,
      rejected: result.rejected.length,
    })) as Described<PlaceOrderResult>,
  },
  getOrders: {
    action: 'get_orders',
    items: (args: unknown[]) => (args[0] as readonly string[]).length,
    describe: (() => ({})) as Described<OrderResult[]>,
  },
} as const;

type ObservedMethod = keyof typeof OBSERVED;

function isObserved(name: PropertyKey): name is ObservedMethod {
  return typeof name === 'string' && Object.hasOwn(OBSERVED, name);
}

/**
 * The client, with its three calls reported. A proxy rather than a class implementing
 * ProviderClient: whatever else a protocol's client offers (now or later) passes through as is.
 */
export function observeCalls<C extends ProviderClient>(client: C, events: DaemonEvents, options: ObservedClientOptions = {}): C {
  const now = options.now ?? (() => performance.now());
  const report = (event: Omit<CallEvent, 'at' | 'durationMs'>, started: number): void => {
    events.emit('call', { ...event, at: new Date().toISOString(), durationMs: Math.max(0, now() - started) });
  };
  return new Proxy(client, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      if (!isObserved(name)) return (value as (...args: unknown[]) => unknown).bind(target);
      const { action, items, describe } = OBSERVED[name];
      return async (...args: unknown[]): Promise<unknown> => {
        const started = now();
        try {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (events.has('call')) report({ action, outcome: 'ok', items: items(args), ...(describe as Described<unknown>)(result) }, started);
          return result;
        } catch (error) {
          if (events.has('call')) {
            const message = error instanceof Error ? error.message : String(error);
            report({ action, outcome: outcomeOf(error), items: items(args), error: scrubSecrets(message, options.secrets ?? []) }, started);
          }
          throw error;
        }
      };
    },
  });
}
