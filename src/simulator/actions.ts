/**
 * The order logic behind the endpoint: credentials, then the action. Knows nothing of HTTP or
 * faults; returns the root element of the reply.
 */
import { findService, SIMULATED_CATALOGUE } from './catalogue.js';
import type { OrderBook, PlacementOutcome } from './orders.js';
import { renderCatalogue, renderError, renderOrderResults, renderPlacement } from './xml.js';

export interface ActionSettings {
  username: string;
  apiKey: string;
  catalogueWrapper: boolean;
  numericStatuses: boolean;
  placesOnlyLastImei: boolean;
}

/** What became of the IMEIs of one call; all 0 for calls that are not a `placeorder` reaching the book. */
export interface ImeiTally {
  placed: number;
  duplicates: number;
  malformed: number;
  /** Dropped by `placesOnlyLastImei`. */
  ignored: number;
  /** DHRU: refused with `Not enough credits`. */
  noCredit: number;
  /** DHRU without repeat refusal: orders of an IMEI already held (also counted in `placed`). */
  repeats: number;
}

export interface CallAnswer {
  /** The root element of the reply (no declaration). */
  root: string;
  /** IMEIs that reached the order logic: the sum of `tally`. */
  imeisReceived: number;
  tally: ImeiTally;
}

export const NO_IMEIS: Readonly<ImeiTally> = Object.freeze({ placed: 0, duplicates: 0, malformed: 0, ignored: 0, noCredit: 0, repeats: 0 });

/** Form fields of one call; a field sent twice keeps its first value. */
export type CallFields = ReadonlyMap<string, string>;

function refuse(message: string): CallAnswer {
  return noImeis(renderError(message));
}

function noImeis(root: string): CallAnswer {
  return { root, imeisReceived: 0, tally: NO_IMEIS };
}

/** Comma-separated values, trimmed, empties dropped. */
function splitList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

function credentialsProblem(fields: CallFields, settings: ActionSettings): string | undefined {
  if (settings.apiKey === '') return undefined;
  if (settings.username !== '' && fields.get('userId') !== settings.username) return 'Invalid User!';
  if (fields.get('apiKey') !== settings.apiKey) return 'Invalid API Key!';
  return undefined;
}

function placeOrder(fields: CallFields, book: OrderBook, placesOnlyLastImei: boolean): CallAnswer {
  const networkId = (fields.get('networkId') ?? '').trim();
  if (networkId === '') return refuse('Network ID is required!');
  if (findService(networkId) === undefined) return refuse('Invalid Network ID!');
  const imeis = splitList(fields.get('imei'));
  if (imeis.length === 0) return refuse('IMEI is required!');
  // The recorded live quirk: the rest of the list is dropped without a word.
  const considered = placesOnlyLastImei ? imeis.slice(-1) : imeis;
  const outcome = book.place(networkId, considered);
  const tally = tallyOf(outcome, imeis.length - considered.length);
  // Live quirk: a lone duplicate is not listed but refused as the whole reply. Only when the
  // call itself held one IMEI: a multi-IMEI call cut down to its last still gets a <result>.
  if (imeis.length === 1 && outcome.duplicates.length === 1) {
    return { root: renderError('IMEI already exists!'), imeisReceived: 1, tally };
  }
  return { root: renderPlacement(outcome), imeisReceived: imeis.length, tally };
}

function tallyOf(outcome: PlacementOutcome, ignored: number): ImeiTally {
  return {
    placed: outcome.placed.length,
    duplicates: outcome.duplicates.length,
    malformed: outcome.malformed.length,
    ignored,
    noCredit: 0,
    repeats: 0,
  };
}

function getOrders(fields: CallFields, book: OrderBook, numericStatuses: boolean): CallAnswer {
  const orderIds = splitList(fields.get('orderIds'));
  if (orderIds.length === 0) return refuse('Order ID is required!');
  const titleOf = (serviceId: string): string => findService(serviceId)?.title ?? '';
  return noImeis(renderOrderResults(book.lookUp(orderIds), titleOf, numericStatuses));
}

/** Answers one call as the live server would, HTTP aside. */
export function answerCall(fields: CallFields, book: OrderBook, settings: ActionSettings): CallAnswer {
  const problem = credentialsProblem(fields, settings);
  if (problem !== undefined) return refuse(problem);
  switch (fields.get('action')) {
    case 'imeiservices':
      return noImeis(renderCatalogue(SIMULATED_CATALOGUE, settings.catalogueWrapper));
    case 'placeorder':
      return placeOrder(fields, book, settings.placesOnlyLastImei);
    case 'getimeis':
      return getOrders(fields, book, settings.numericStatuses);
    default:
      return refuse('Invalid Action!');
  }
}
