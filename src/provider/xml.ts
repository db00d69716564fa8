/**
 * The GSM Fusion replies the daemon reads, turned into the result types of `types.ts`.
 * Pure: body text in, values out. Every function throws `ReplyParseError` for a body that is
 * not one complete XML reply and `ProviderRefusal` for an `<error>` reply.
 */
import type { CatalogueEntry, OrderResult, PlaceOrderResult, PlacedOrder, ProviderStatus } from './types.js';
import {
  ProviderRefusal,
  ReplyParseError,
  type ReplyRoot,
  type XmlNode,
  child,
  childList,
  childText,
  readReply,
  rejectIfRefusal,
  textOf,
} from './xml-document.js';

export { ProviderRefusal, ReplyParseError } from './xml-document.js';

/** The provider's reply to a single-IMEI repeat: a duplicate, not a failure. */
const ALREADY_EXISTS = 'imei already exists';

/** Status words and the manual's numbers, keyed by their letters and digits only, lower case. */
const STATUS_BY_KEY: ReadonlyMap<string, ProviderStatus> = new Map<string, ProviderStatus>([
  ['1', 'Pending'],
  ['2', 'Completed'],
  ['3', 'Rejected'],
  ['4', 'In Process'],
  ['pending', 'Pending'],
  ['completed', 'Completed'],
  ['rejected', 'Rejected'],
  ['inprocess', 'In Process'],
]);

/**
 * A status as the provider wrote it (`Completed`, ` in  process`, `4`), or undefined when
 * it is none of the four.
 */
export function parseProviderStatus(raw: string): ProviderStatus | undefined {
  const key = raw.toLowerCase().replace(/[^a-z0-9]/g, '');
  return STATUS_BY_KEY.get(key);
}

/**
 * A status, falling back to `Pending` for an empty or unknown one: `Pending` is not final, so
 * the order keeps being polled instead of being closed on a guess.
 */
function statusOrPending(raw: string): ProviderStatus {
  return parseProviderStatus(raw) ?? 'Pending';
}

/** `imeiservices`: the catalogue, with or without the `<Packages>` wrapper. */
export function parseCatalogue(body: string): CatalogueEntry[] {
  const root = readReply(body);
  rejectIfRefusal(root);
  return packagesOf(root).flatMap((node) => {
    const id = childText(node, 'packageid');
    if (id === '') return [];
    return [
      {
        id,
        category: childText(node, 'category'),
        title: childText(node, 'packagetitle'),
        price: childText(node, 'packageprice'),
        timeTaken: childText(node, 'timetaken'),
        mustRead: childText(node, 'mustread'),
      },
    ];
  });
}

function packagesOf(root: ReplyRoot): XmlNode[] {
  if (root.name === 'package') return [root.node];
  const wrapper = child(root.node, 'packages');
  if (wrapper !== undefined) return childList(wrapper, 'package');
  const direct = childList(root.node, 'package');
  if (direct.length > 0 || root.name === 'packages' || root.name === 'result') return direct;
  // A reply that is neither a catalogue nor an empty result: do not mistake it for "no services".
  throw new ReplyParseError(`unexpected reply element <${root.name}> for the catalogue`);
}

/**
 * `placeorder`. Each IMEI sent lands in at most one list (placed first, then duplicates, then
 * rejected); an IMEI the reply does not mention is in none (see `unaccountedImeis`), and
 * IMEIs the reply names but that were not sent are ignored.
 */
export function parsePlaceOrder(body: string, sentImeis: readonly string[]): PlaceOrderResult {
  const root = readReply(body);
  try {
    rejectIfRefusal(root);
  } catch (error) {
    const single = sentImeis.length === 1 ? sentImeis[0] : undefined;
    if (single !== undefined && error instanceof ProviderRefusal && isAlreadyExists(error.providerMessage)) {
      return { placed: [], duplicates: [single], rejected: [] };
    }
    throw error;
  }
  if (root.name !== 'result') throw new ReplyParseError(`unexpected reply element <${root.name}> for placeorder`);

  const sent = new Set(sentImeis);
  const seen = new Set<string>();
  const take = (imei: string): boolean => {
    if (!sent.has(imei) || seen.has(imei)) return false;
    seen.add(imei);
    return true;
  };

  const placed: PlacedOrder[] = [];
  for (const order of childList(root.node, 'imeis')) {
    const orderId = childText(order, 'id');
    // Compared by digits: a server that writes `35-337008-...` must not cost us the order id.
    const imei = digitsOf(childText(order, 'imei')) || (sentImeis.length === 1 ? (sentImeis[0] ?? '') : '');
    // An order without an id cannot be followed up: leave its IMEI unaccounted (unknown).
    if (orderId === '' || !take(imei)) continue;
    placed.push({ imei, orderId, status: statusOrPending(childText(order, 'status')) });
  }
  const duplicates = imeiListIn(root.node, 'imeiduplicates').map(digitsOf).filter(take);
  const rejected = imeiListIn(root.node, 'imeierrors').map(digitsOf).filter(take);
  return { placed, duplicates, rejected };
}

/**
 * The orders a `placeorder` reply that was cut off (or is otherwise unreadable) carried whole:
 * each complete `<imeis>` element with an id and one of the IMEIs sent. Those were placed, and
 * their ids exist nowhere else; the IMEIs after the cut stay unknown.
 */
export function salvagePlacedOrders(body: string, sentImeis: readonly string[]): PlacedOrder[] {
  const sent = new Set(sentImeis);
  const placed: PlacedOrder[] = [];
  for (const match of body.matchAll(/<imeis>([\s\S]*?)<\/imeis>/gi)) {
    const inner = match[1] ?? '';
    const field = (name: string): string => new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`, 'i').exec(inner)?.[1] ?? '';
    const orderId = field('id');
    const imei = digitsOf(field('imei'));
    if (orderId === '' || !sent.has(imei)) continue;
    sent.delete(imei);
    placed.push({ imei, orderId, status: statusOrPending(field('status')) });
  }
  return placed;
}

function digitsOf(imei: string): string {
  return imei.replace(/\D/g, '');
}

function isAlreadyExists(message: string): boolean {
  return message.toLowerCase().replace(/[^a-z ]/g, '').trim() === ALREADY_EXISTS;
}

/**
 * The IMEIs of every `<name>` element: each holds one or several `<imei>` elements, or bare
 * text, each a list separated by commas (spaces and semicolons tolerated too).
 */
function imeiListIn(node: XmlNode, name: string): string[] {
  const imeis: string[] = [];
  for (const list of childList(node, name)) {
    const entries = childList(list, 'imei');
    const texts = entries.length > 0 ? entries.map((entry) => textOf(entry)) : [textOf(list)];
    for (const text of texts) imeis.push(...text.split(/[\s,;]+/).filter((imei) => imei !== ''));
  }
  return imeis;
}

/** `getimeis`: one result per order the provider knows; unknown ids are simply absent. */
export function parseOrders(body: string): OrderResult[] {
  const root = readReply(body);
  rejectIfRefusal(root);
  if (root.name !== 'result') throw new ReplyParseError(`unexpected reply element <${root.name}> for getimeis`);
  return childList(root.node, 'imeis').flatMap((order) => {
    const orderId = childText(order, 'id');
    if (orderId === '') return [];
    return [
      {
        orderId,
        imei: childText(order, 'imei'),
        packageTitle: childText(order, 'package'),
        status: statusOrPending(childText(order, 'status')),
        code: childText(order, 'code'),
        requestedAt: childText(order, 'requestedat'),
      },
    ];
  });
}

/**
 * The provider's refusal text when `body` is an `<error>` reply, otherwise undefined (also for
 * an unreadable body). Used on HTTP 4xx pages, which some servers send with an `<error>` body.
 */
export function refusalMessageOf(body: string): string | undefined {
  try {
    rejectIfRefusal(readReply(body));
    return undefined;
  } catch (error) {
    return error instanceof ProviderRefusal ? error.providerMessage : undefined;
  }
}
