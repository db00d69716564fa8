/**
 * The order logic behind the endpoint: credentials, then the action. Knows nothing of HTTP or
 * faults; returns the root element of the reply.
 */
import { findService, SIMULATED_CATALOGUE } from './catalogue.js';
import type { OrderBook } from './orders.js';
import { renderCatalogue, renderError, renderOrderResults, renderPlacement } from './xml.js';

export interface ActionSettings {
  username: string;
  apiKey: string;
  catalogueWrapper: boolean;
  numericStatuses: boolean;
}

export interface CallAnswer {
  /** The root element of the reply (no declaration). */
  root: string;
  /** IMEIs that reached the order logic. */
  imeisReceived: number;
}

/** Form fields of one call; a field sent twice keeps its first value. */
export type CallFields = ReadonlyMap<string, string>;

function refuse(message: string): CallAnswer {
  return { root: renderError(message), imeisReceived: 0 };
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

function placeOrder(fields: CallFields, book: OrderBook): CallAnswer {
  const networkId = (fields.get('networkId') ?? '').trim();
  if (networkId === '') return refuse('Network ID is required!');
  if (findService(networkId) === undefined) return refuse('Invalid Network ID!');
  const imeis = splitList(fields.get('imei'));
  if (imeis.length === 0) return refuse('IMEI is required!');
  const outcome = book.place(networkId, imeis);
  // Live quirk: a lone duplicate is not listed but refused as the whole reply.
  if (imeis.length === 1 && outcome.duplicates.length === 1) {
    return { root: renderError('IMEI already exists!'), imeisReceived: 1 };
  }
  return { root: renderPlacement(outcome), imeisReceived: imeis.length };
}

function getOrders(fields: CallFields, book: OrderBook, numericStatuses: boolean): CallAnswer {
  const orderIds = splitList(fields.get('orderIds'));
  if (orderIds.length === 0) return refuse('Order ID is required!');
  const titleOf = (serviceId: string): string => findService(serviceId)?.title ?? '';
  return { root: renderOrderResults(book.lookUp(orderIds), titleOf, numericStatuses), imeisReceived: 0 };
}

/** Answers one call as the live server would, HTTP aside. */
export function answerCall(fields: CallFields, book: OrderBook, settings: ActionSettings): CallAnswer {
  const problem = credentialsProblem(fields, settings);
  if (problem !== undefined) return refuse(problem);
  switch (fields.get('action')) {
    case 'imeiservices':
      return { root: renderCatalogue(SIMULATED_CATALOGUE, settings.catalogueWrapper), imeisReceived: 0 };
    case 'placeorder':
      return placeOrder(fields, book);
    case 'getimeis':
      return getOrders(fields, book, settings.numericStatuses);
    default:
      return refuse('Invalid Action!');
  }
}
