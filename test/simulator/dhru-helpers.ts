/** Talks DHRU to a simulator over real HTTP, as a DHRU client would, without the daemon's client. */
import { afterEach } from 'vitest';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';

export const DHRU_CREDENTIALS = { username: 'tester', apiaccesskey: 'AAA-BBB-CCC-DDD-EEE-FFF-GGG-HHH' } as const;

export interface DhruHttpReply {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

const started: Simulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((simulator) => simulator.close()));
});

/** A DHRU simulator with the test credentials, closed after the test. */
export async function dhruSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = await startSimulator({
    protocol: 'dhru',
    username: DHRU_CREDENTIALS.username,
    apiKey: DHRU_CREDENTIALS.apiaccesskey,
    firstOrderId: 4100213,
    ...options,
  });
  started.push(simulator);
  return simulator;
}

export async function dhruCall(simulator: Simulator, fields: Record<string, string>): Promise<DhruHttpReply> {
  const response = await fetch(`${simulator.url}/api/index.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...DHRU_CREDENTIALS, requestformat: 'JSON', ...fields }).toString(),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export const base64Json = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
export const xmlParameters = (id: string, imei?: string): string =>
  `<PARAMETERS><ID>${id}</ID>${imei === undefined ? '' : `<IMEI>${imei}</IMEI>`}</PARAMETERS>`;

export function placeSingle(simulator: Simulator, serviceId: string, imei: string): Promise<DhruHttpReply> {
  return dhruCall(simulator, { action: 'placeimeiorder', parameters: base64Json({ ID: serviceId, IMEI: imei }) });
}

export function placeBulk(simulator: Simulator, serviceId: string, imeis: readonly string[]): Promise<DhruHttpReply> {
  const rows = Object.fromEntries(imeis.map((imei, index) => [`r${index + 1}`, { ID: serviceId, IMEI: imei }]));
  return dhruCall(simulator, { action: 'placeimeiorderbulk', parameters: base64Json(rows) });
}

export function getSingle(simulator: Simulator, orderId: string): Promise<DhruHttpReply> {
  return dhruCall(simulator, { action: 'getimeiorder', parameters: base64Json({ ID: orderId }) });
}

export function getBulk(simulator: Simulator, orderIds: readonly string[]): Promise<DhruHttpReply> {
  return dhruCall(simulator, { action: 'getimeiorderbulk', parameters: base64Json(Object.fromEntries(orderIds.map((id) => [`o${id}`, { ID: id }]))) });
}
