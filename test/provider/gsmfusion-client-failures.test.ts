import { describe, expect, it } from 'vitest';
import { ProviderSafeError, ProviderUnknownOutcomeError } from '../../src/errors.js';
import { IMEI_A, IMEI_B, client, failureOf, provider } from './client-harness.js';
import { closedPortUrl, xmlReply } from './fake-provider.js';

describe('HTTP failures', () => {
  it('429 is safe and carries Retry-After', async () => {
    const fake = await provider(xmlReply('<html>Too Many Requests</html>', 429, { 'retry-after': '17' }));
    const error = await failureOf(client(fake.baseUrl).placeOrder('269', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderSafeError);
    expect(error.details).toEqual({ httpStatus: 429, retryAfterSeconds: 17, rateLimited: true });
  });

  it('503 is safe', async () => {
    const fake = await provider(xmlReply('<!DOCTYPE html><html><body>Service Unavailable</body></html>', 503));
    const error = await failureOf(client(fake.baseUrl).placeOrder('269', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderSafeError);
    expect(error.details.httpStatus).toBe(503);
  });

  it('500 is unknown', async () => {
    const fake = await provider(xmlReply('<html><body>Internal Server Error</body></html>', 500));
    const error = await failureOf(client(fake.baseUrl).placeOrder('269', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.message).toContain('HTTP 500');
    expect(error.message).toContain('orders may have been placed');
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><body>Bad gateway</body></html>'],
    ['XML cut short', `<result><imeis><id>1</id><imei>${IMEI_A}</im`],
    ['an empty body', ''],
  ])('a 200 reply holding %s is unknown', async (_name, body) => {
    const fake = await provider(xmlReply(body));
    const error = await failureOf(client(fake.baseUrl).placeOrder('269', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.details.httpStatus).toBe(200);
  });

  it('a reply larger than the limit is unknown', async () => {
    const fake = await provider(xmlReply(`<result>${'<imeis><id>1</id></imeis>'.repeat(200)}</result>`));
    const error = await failureOf(client(fake.baseUrl, { maxReplyBytes: 1000 }).placeOrder('269', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
  });
});

describe('connection failures', () => {
  it('a refused connection is safe and nothing was sent', async () => {
    const error = await failureOf(client(await closedPortUrl()).placeOrder('269', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderSafeError);
    expect(error.message).toContain('no order was placed');
  });

  it('a socket destroyed after the request arrived is unknown', async () => {
    const fake = await provider((_request, response) => response.socket?.destroy());
    const error = await failureOf(client(fake.baseUrl).placeOrder('269', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(fake.requests).toHaveLength(1);
  });

  it('a reply cut off mid-body is unknown', async () => {
    const fake = await provider((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/xml', 'content-length': '500' });
      response.write('<result><imeis><id>1</id>', () => response.socket?.destroy());
    });
    const error = await failureOf(client(fake.baseUrl).placeOrder('269', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
  });

  it('a provider that hangs past timeoutMs is unknown', async () => {
    const fake = await provider(() => undefined);
    const error = await failureOf(client(fake.baseUrl, { timeoutMs: 150 }).placeOrder('269', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.message).toBe('provider timed out after 150 ms during placeorder; orders may have been placed');
  });

  it('a provider that hangs after the headers is unknown', async () => {
    const fake = await provider((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.write('<result>');
    });
    const error = await failureOf(client(fake.baseUrl, { timeoutMs: 150 }).placeOrder('269', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
  });
});

describe('caller aborts', () => {
  it('an abort after the request was sent is unknown and says it was the caller', async () => {
    const controller = new AbortController();
    const fake = await provider(() => controller.abort(new Error('shutting down')));
    const error = await failureOf(client(fake.baseUrl).placeOrder('269', [IMEI_A], controller.signal));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.message).toContain('aborted by the caller');
    expect(error.cause).toBe(controller.signal.reason);
  });

  it('an already aborted signal sends nothing and is safe', async () => {
    const fake = await provider(xmlReply('<result/>'));
    const error = await failureOf(client(fake.baseUrl).placeOrder('269', [IMEI_A], AbortSignal.abort()));
    expect(error).toBeInstanceOf(ProviderSafeError);
    expect(fake.requests).toHaveLength(0);
  });

  it('an abort while waiting for a free connection is safe and sends nothing', async () => {
    let firstArrived: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      firstArrived = resolve;
    });
    const fake = await provider(() => firstArrived());
    const gsm = client(fake.baseUrl, { connections: 1, timeoutMs: 5000 });
    const hanging = failureOf(gsm.placeOrder('269', [IMEI_A]));
    await arrived;

    const controller = new AbortController();
    const queued = failureOf(gsm.placeOrder('269', [IMEI_B], controller.signal));
    controller.abort();
    expect(await queued).toBeInstanceOf(ProviderSafeError);

    await fake.close();
    expect(await hanging).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(fake.requests.map((request) => request.form.get('imei'))).toEqual([IMEI_A]);
  });
});
