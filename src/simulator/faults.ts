/** Which fault, if any, a call gets, and the CDN-style pages the early faults answer with. */
import type { RandomSource } from './random.js';
import type { SimulatorFaultKind, SimulatorFaults } from './types.js';

export const FAULT_KINDS: readonly SimulatorFaultKind[] = [
  'http500',
  'http503',
  'rateLimit',
  'dropAfterOrder',
  'hang',
  'truncated',
];

/** These happen in front of the order logic (a CDN or web server refusing): no order is taken. */
export const FAULTS_BEFORE_ORDER: ReadonlySet<SimulatorFaultKind> = new Set(['http500', 'http503', 'rateLimit']);

/** Throws on a probability outside 0..1, so a typo in a test fails loudly instead of silently never firing. */
export function checkFaults(faults: SimulatorFaults): SimulatorFaults {
  for (const kind of FAULT_KINDS) {
    const probability = faults[kind];
    if (probability === undefined) continue;
    if (!(probability >= 0 && probability <= 1)) {
      throw new RangeError(`simulator fault ${kind} must be a probability from 0 to 1, got ${probability}`);
    }
  }
  return { ...faults };
}

/**
 * One roll per call against the probabilities stacked in FAULT_KINDS order: each kind fires with
 * its own probability as long as they sum to at most 1 (beyond that, earlier kinds win).
 */
export function pickFault(faults: SimulatorFaults, random: RandomSource): SimulatorFaultKind | undefined {
  const roll = random();
  let threshold = 0;
  for (const kind of FAULT_KINDS) {
    threshold += faults[kind] ?? 0;
    if (roll < threshold) return kind;
  }
  return undefined;
}

export interface HtmlPage {
  status: number;
  body: string;
}

function page(status: number, title: string, text: string): HtmlPage {
  const body =
    `<!DOCTYPE html>\n<html><head><title>${status} ${title}</title></head>` +
    `<body><h1>${title}</h1><p>${text}</p><hr><address>cloudflare</address></body></html>\n`;
  return { status, body };
}

export const INTERNAL_ERROR_PAGE = page(500, 'Internal Server Error', 'The server encountered an internal error and was unable to complete your request.');
export const UNAVAILABLE_PAGE = page(503, 'Service Temporarily Unavailable', 'The server is temporarily unable to service your request. Please try again later.');
export const TOO_MANY_REQUESTS_PAGE = page(429, 'Too Many Requests', 'You have sent too many requests in a given amount of time.');
export const NOT_FOUND_PAGE = page(404, 'Not Found', 'The requested URL was not found on this server.');
export const METHOD_NOT_ALLOWED_PAGE = page(405, 'Method Not Allowed', 'The requested method is not allowed for this URL.');
export const TOO_LARGE_PAGE = page(413, 'Payload Too Large', 'The request body is too large.');
