/** Talks to a simulator over real HTTP, as the daemon would. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Simulator } from '../../src/simulator/index.js';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

export const CREDENTIALS = { userId: 'tester', apiKey: 'AAAA-BBBB-CCCC-DDDD-EEEE' } as const;

export async function call(
  simulator: Simulator,
  fields: Record<string, string>,
  init: { signal?: AbortSignal } = {},
): Promise<Reply> {
  const response = await fetch(`${simulator.url}/gsmfusion_api/index.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...CREDENTIALS, ...fields }).toString(),
    signal: init.signal,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Drops any leading `<?...?>`, the live server's broken one included. */
export function stripDeclaration(xml: string): string {
  return xml.replace(/^\s*<\?[^?]*\?>\s*/, '');
}

const parser = new XMLParser({
  parseTagValue: false,
  isArray: (name) => ['imeis', 'Package'].includes(name),
});

export type XmlNode = Record<string, unknown>;

export function parseXml(xml: string): XmlNode {
  const body = stripDeclaration(xml);
  const validation = XMLValidator.validate(body);
  if (validation !== true) throw new Error(`not well-formed XML: ${validation.err.msg}`);
  return parser.parse(body) as XmlNode;
}

export function isWellFormed(xml: string): boolean {
  return XMLValidator.validate(stripDeclaration(xml)) === true;
}

export interface PlacedItem {
  id: string;
  imei: string;
  status: string;
}

export interface PlaceReply {
  placed: PlacedItem[];
  duplicates: string[];
  errors: string[];
}

function commaList(node: unknown): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const imei = (node as XmlNode)['imei'];
  return typeof imei === 'string' && imei !== '' ? imei.split(',') : [];
}

export function readPlacement(xml: string): PlaceReply {
  const result = parseXml(xml)['result'] as XmlNode | undefined;
  if (result === undefined) throw new Error(`no <result> in ${xml}`);
  return {
    placed: (result['imeis'] as PlacedItem[] | undefined) ?? [],
    duplicates: commaList(result['imeiduplicates']),
    errors: commaList(result['imeierrors']),
  };
}

export function readError(xml: string): string | undefined {
  const error = parseXml(xml)['error'];
  return typeof error === 'string' ? error : undefined;
}

export interface StatusItem {
  id: string;
  imei: string;
  package: string;
  status: string;
  code: string;
  requestedat: string;
}

export function readStatuses(xml: string): StatusItem[] {
  const result = parseXml(xml)['result'];
  if (typeof result !== 'object' || result === null) return [];
  return ((result as XmlNode)['imeis'] as StatusItem[] | undefined) ?? [];
}

export async function placeOrder(simulator: Simulator, networkId: string, imeis: readonly string[]): Promise<Reply> {
  return call(simulator, { action: 'placeorder', networkId, imei: imeis.join(',') });
}

export async function getStatuses(simulator: Simulator, orderIds: readonly string[]): Promise<StatusItem[]> {
  const reply = await call(simulator, { action: 'getimeis', orderIds: orderIds.join(',') });
  return readStatuses(reply.text);
}

/** Valid IMEIs (correct Luhn digit), different for each n. */
export function validImei(n: number): string {
  const body = `35337008${String(n).padStart(6, '0')}`;
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let digit = Number(body[13 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** 15 digits with the wrong check digit. */
export function badCheckDigitImei(n: number): string {
  const imei = validImei(n);
  return `${imei.slice(0, 14)}${(Number(imei[14]) + 1) % 10}`;
}
