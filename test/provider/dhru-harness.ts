/** Shared set-up for the DHRU client tests: canned JSON replies, clients closed after each test. */
import { afterEach } from 'vitest';
import { DhruClient, type DhruClientOptions } from '../../src/provider/index.js';
import type { ReceivedRequest, ReplyWith } from './fake-provider.js';

/** Looks like a real key (eight groups of three) and a user name long enough to be scrubbed. */
export const DHRU_KEY = 'K9Q-2ZX-7T4-MNB-8VW-E3H-JRA-5PL';
export const DHRU_USER = 'shop-reseller';

const opened: DhruClient[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((client) => client.close()));
});

/** A client with test credentials and a 2 s limit, closed after the test. */
export function dhruClient(baseUrl: string, options: Partial<DhruClientOptions> = {}): DhruClient {
  const made = new DhruClient({ baseUrl, username: DHRU_USER, apiKey: DHRU_KEY, timeoutMs: 2000, ...options });
  opened.push(made);
  return made;
}

/** Answers with `body` (an object is written as JSON) and `status`. */
export function jsonReply(body: unknown, status = 200, headers: Record<string, string> = {}): ReplyWith {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

/** Answers each action with its own reply; others with `Invalid Action`. */
export function byAction(replies: Record<string, ReplyWith | ReplyWith[]>): ReplyWith {
  const queues = new Map(Object.entries(replies).map(([action, reply]) => [action, Array.isArray(reply) ? [...reply] : reply]));
  return (request, response) => {
    const entry = queues.get(request.form.get('action') ?? '');
    const reply = Array.isArray(entry) ? (entry.length > 1 ? entry.shift() : entry[0]) : entry;
    (reply ?? jsonReply({ ERROR: [{ MESSAGE: 'Invalid Action' }] }))(request, response);
  };
}

/** The `parameters` of a request: base64 JSON decoded, or the XML text as sent. */
export function parametersOf(request: ReceivedRequest | undefined): unknown {
  const raw = request?.form.get('parameters') ?? undefined;
  if (raw === undefined) return undefined;
  if (raw.startsWith('<')) return raw;
  return JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as unknown;
}

export const actionsOf = (requests: readonly ReceivedRequest[]): string[] => requests.map((request) => request.form.get('action') ?? '');

export const placed = (id: number | string): unknown => ({ SUCCESS: [{ MESSAGE: 'Order received', REFERENCEID: id }], apiversion: '6.1' });
export const refused = (message: string): unknown => ({ ERROR: [{ MESSAGE: message, FULL_DESCRIPTION: '' }], apiversion: '6.1' });
/** A bulk read keyed by the probe's reference: the server has bulk. */
export const BULK_PROBE_YES = jsonReply({ o1: { ERROR: [{ MESSAGE: 'No IMEI Found' }] }, apiversion: '6.1' });
