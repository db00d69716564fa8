/**
 * What the HTTP edge (server.ts) needs from the API it simulates: where it answers, which
 * actions place orders and which read results (for stats and faults), and the answer to one
 * call, HTTP status and body included. GSM Fusion and DHRU Fusion each provide one.
 */
import type { CallFields, ImeiTally } from './actions.js';
import type { Credit } from './credit.js';
import { DhruProtocol } from './dhru/protocol.js';
import { GsmFusionProtocol } from './gsmfusion-protocol.js';
import type { OrderBook } from './orders.js';
import type { SimulatorOptions } from './types.js';

export interface SimulatedReply {
  status: number;
  contentType: string;
  /** Extra headers (DHRU's `X-Powered-By`...). */
  headers?: Record<string, string>;
  body: string;
}

export interface ProtocolAnswer {
  reply: SimulatedReply;
  /** IMEIs that reached the order logic: the sum of `tally`. */
  imeisReceived: number;
  tally: ImeiTally;
}

export type ActionKind = 'place' | 'read' | 'other';

export interface SimulatedProtocol {
  /** The one endpoint, e.g. `/gsmfusion_api/index.php`. */
  readonly endpointPath: string;
  /** Every action it knows. */
  readonly actions: readonly string[];
  /** Whether an action places orders, reads results, or neither. */
  kindOf(action: string): ActionKind;
  /** Answers one call as the server would, HTTP aside; the orders are taken now. */
  answer(fields: CallFields): ProtocolAnswer;
}

/** The actions a `faultActions` entry stands for: `placeorder` and `getimeis` name a kind, in any protocol. */
export function faultActionsOf(names: readonly string[], protocol: SimulatedProtocol): Set<string> {
  const actions = new Set<string>();
  for (const name of names) {
    actions.add(name);
    const kind = name === 'placeorder' ? 'place' : name === 'getimeis' ? 'read' : undefined;
    if (kind !== undefined) for (const action of protocol.actions) if (protocol.kindOf(action) === kind) actions.add(action);
  }
  return actions;
}

/** The protocol the options name, over the simulator's one order book and credit. */
export function createSimulatedProtocol(options: SimulatorOptions, book: OrderBook, credit: Credit): SimulatedProtocol {
  const credentials = { username: options.username ?? '', apiKey: options.apiKey ?? '' };
  if (options.protocol === 'dhru') return new DhruProtocol(book, credit, credentials, options.dhru);
  const settings = {
    ...credentials,
    catalogueWrapper: options.catalogueWrapper ?? true,
    numericStatuses: options.numericStatuses ?? false,
    placesOnlyLastImei: options.placesOnlyLastImei ?? false,
  };
  return new GsmFusionProtocol(book, settings, options.brokenDeclaration ?? true);
}
