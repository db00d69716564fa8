import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import {
  call,
  CREDENTIALS,
  parseXml,
  placeOrder,
  readError,
  readPlacement,
  validImei,
  type XmlNode,
} from './helpers.js';

const running: Simulator[] = [];

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = await startSimulator({ completeAfterMs: 60_000, ...options });
  running.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

describe('catalogue (imeiservices)', () => {
  it('starts with the broken declaration and wraps packages in <Packages>', async () => {
    const simulator = await start();
    const reply = await call(simulator, { action: 'imeiservices' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/xml/);
    expect(reply.text.startsWith('<?phpxml version="1.0" encoding="utf-8"?>')).toBe(true);
    const packages = (parseXml(reply.text)['Packages'] as XmlNode)['Package'] as XmlNode[];
    const byId = new Map(packages.map((entry) => [entry['PackageId'], entry]));
    expect(byId.get('1739')).toMatchObject({ PackagePrice: '0.08' });
    expect(byId.get('1739')?.['PackageTitle']).toMatch(/iPhone/);
    expect(byId.get('269')).toMatchObject({ PackagePrice: '0.05' });
    expect(byId.get('1001')).toMatchObject({ PackagePrice: '35.00' });
    expect(byId.get('1001')?.['TimeTaken']).toMatch(/Days/);
    expect(packages.length).toBeGreaterThanOrEqual(5);
    for (const entry of packages) {
      expect(Object.keys(entry)).toEqual(['PackageId', 'Category', 'PackageTitle', 'PackagePrice', 'TimeTaken', 'MustRead']);
    }
    // Markup in MustRead travels escaped, so the document stays well-formed.
    expect(reply.text).toContain('&lt;b&gt;');
  });

  it('puts Package elements straight under the root without the wrapper, with a proper declaration on request', async () => {
    const simulator = await start({ catalogueWrapper: false, brokenDeclaration: false });
    const reply = await call(simulator, { action: 'imeiservices' });
    expect(reply.text.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const root = parseXml(reply.text);
    expect(root['Packages']).toBeUndefined();
    const packages = (root['result'] as XmlNode)['Package'] as XmlNode[];
    expect(packages.map((entry) => entry['PackageId'])).toContain('1739');
  });
});

describe('placeorder', () => {
  it('places one order per new IMEI with increasing numeric ids, recorded in orders()', async () => {
    const simulator = await start();
    const imeis = [validImei(1), validImei(2), validImei(3)];
    const reply = readPlacement((await placeOrder(simulator, '1739', imeis)).text);
    expect(reply.placed.map((item) => item.imei)).toEqual(imeis);
    expect(reply.placed.every((item) => item.status === 'Pending')).toBe(true);
    const ids = reply.placed.map((item) => Number(item.id));
    expect(ids[0]).toBeGreaterThanOrEqual(15556534);
    expect(ids).toEqual([ids[0], ids[0]! + 1, ids[0]! + 2]);
    expect(reply.duplicates).toEqual([]);
    const orders = simulator.orders();
    expect(orders.map((order) => [order.orderId, order.imei, order.serviceId])).toEqual(
      reply.placed.map((item) => [item.id, item.imei, '1739']),
    );
    expect(simulator.stats()).toMatchObject({ placeorderCalls: 1, imeisReceived: 3 });
  });

  it('lists repeats within a call and across calls as one comma-separated imeiduplicates', async () => {
    const simulator = await start();
    const [a, b, c] = [validImei(10), validImei(11), validImei(12)];
    const first = readPlacement((await placeOrder(simulator, '1739', [a, b, a])).text);
    expect(first.placed.map((item) => item.imei)).toEqual([a, b]);
    expect(first.duplicates).toEqual([a]);

    const second = readPlacement((await placeOrder(simulator, '1739', [a, c, b])).text);
    expect(second.placed.map((item) => item.imei)).toEqual([c]);
    expect(second.duplicates).toEqual([a, b]);
    expect((await placeOrder(simulator, '1739', [a, c, b])).text.match(/<imeiduplicates>/g)).toHaveLength(1);

    // The same IMEI on another service is a new order.
    const other = readPlacement((await placeOrder(simulator, '269', [a])).text);
    expect(other.placed.map((item) => item.imei)).toEqual([a]);
    expect(simulator.orders()).toHaveLength(4);
  });

  it('answers a lone repeated IMEI with the whole-reply error "IMEI already exists!"', async () => {
    const simulator = await start();
    const imei = validImei(20);
    readPlacement((await placeOrder(simulator, '1739', [imei])).text);
    const repeat = await placeOrder(simulator, '1739', [imei]);
    expect(repeat.status).toBe(200);
    expect(readError(repeat.text)).toBe('IMEI already exists!');
    expect(simulator.orders()).toHaveLength(1);
  });

  it('puts IMEIs that are not 15 digits in imeierrors and orders the rest', async () => {
    const simulator = await start();
    const good = validImei(30);
    const reply = readPlacement((await placeOrder(simulator, '1739', ['12345', good, '3533700800894581', 'ABCDEFGHIJKLMNO'])).text);
    expect(reply.errors).toEqual(['12345', '3533700800894581', 'ABCDEFGHIJKLMNO']);
    expect(reply.placed.map((item) => item.imei)).toEqual([good]);
    expect(simulator.orders().map((order) => order.imei)).toEqual([good]);
  });

  it('refuses an unknown or missing service id and a missing IMEI with <error>', async () => {
    const simulator = await start();
    const unknown = await placeOrder(simulator, '999999', [validImei(40)]);
    expect(unknown.status).toBe(200);
    expect(readError(unknown.text)).toBe('Invalid Network ID!');
    expect(readError((await call(simulator, { action: 'placeorder', imei: validImei(40) })).text)).toMatch(/Network ID/);
    expect(readError((await call(simulator, { action: 'placeorder', networkId: '1739' })).text)).toMatch(/IMEI/);
    expect(readError((await call(simulator, { action: 'placeorder', networkId: '1739', imei: ' , ' })).text)).toMatch(/IMEI/);
    expect(simulator.orders()).toEqual([]);
  });

  it('accepts multipart form data like the vendor sample client', async () => {
    const simulator = await start();
    const form = new FormData();
    form.set('userId', CREDENTIALS.userId);
    form.set('apiKey', CREDENTIALS.apiKey);
    form.set('action', 'placeorder');
    form.set('networkId', '1739');
    form.set('imei', validImei(50));
    const response = await fetch(`${simulator.url}/gsmfusion_api/index.php`, { method: 'POST', body: form });
    const reply = readPlacement(await response.text());
    expect(reply.placed.map((item) => item.imei)).toEqual([validImei(50)]);
  });
});

describe('credentials and actions', () => {
  const secured: SimulatorOptions = { username: CREDENTIALS.userId, apiKey: CREDENTIALS.apiKey };

  it('takes any credentials when no API key is configured', async () => {
    const simulator = await start();
    const reply = await call(simulator, { action: 'imeiservices', userId: 'x', apiKey: 'y' });
    expect(readError(reply.text)).toBeUndefined();
  });

  it('refuses a wrong user with "Invalid User!" and a wrong key with "Invalid API Key!", taking no order', async () => {
    const simulator = await start(secured);
    const wrongUser = await call(simulator, { action: 'placeorder', networkId: '1739', imei: validImei(60), userId: 'someone' });
    expect(wrongUser.status).toBe(200);
    expect(readError(wrongUser.text)).toBe('Invalid User!');
    const wrongKey = await call(simulator, { action: 'placeorder', networkId: '1739', imei: validImei(60), apiKey: 'WRONG-KEY' });
    expect(readError(wrongKey.text)).toBe('Invalid API Key!');
    expect(wrongKey.text).not.toContain('WRONG-KEY');
    expect(simulator.orders()).toEqual([]);
    const right = readPlacement((await placeOrder(simulator, '1739', [validImei(60)])).text);
    expect(right.placed).toHaveLength(1);
  });

  it('answers an unknown or missing action with "Invalid Action!"', async () => {
    const simulator = await start();
    expect(readError((await call(simulator, { action: 'launchrocket' })).text)).toBe('Invalid Action!');
    expect(readError((await call(simulator, {})).text)).toBe('Invalid Action!');
  });

  it('answers other paths with 404 and GET with 405', async () => {
    const simulator = await start();
    expect((await fetch(`${simulator.url}/elsewhere`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${simulator.url}/gsmfusion_api/index.php`)).status).toBe(405);
  });
});
