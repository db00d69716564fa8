/** Shared set-up for the client tests: fake providers and clients closed after each test. */
import { afterEach, expect } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { GsmFusionClient, type GsmFusionClientOptions } from '../../src/provider/index.js';
import { type FakeProvider, startFakeProvider } from './fake-provider.js';

export const API_KEY = 'K9Q2-ZX7T-4MNB-8VWE-3HJR';
export const USERNAME = 'reseller42';
export const IMEI_A = '353370080089458';
export const IMEI_B = '351685051003195';
export const IMEI_C = '351685051003196';
export const BROKEN_DECLARATION = '<?phpxml version="1.0" encoding="utf-8"?>';

const opened: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((thing) => thing.close()));
});

/** A fake provider closed after the test. */
export async function provider(...args: Parameters<typeof startFakeProvider>): Promise<FakeProvider> {
  const fake = await startFakeProvider(...args);
  opened.push(fake);
  return fake;
}

/** A client with test credentials and a 2 s limit, closed after the test. */
export function client(baseUrl: string, options: Partial<GsmFusionClientOptions> = {}): GsmFusionClient {
  const made = new GsmFusionClient({ baseUrl, username: USERNAME, apiKey: API_KEY, timeoutMs: 2000, ...options });
  opened.push(made);
  return made;
}

/** The error a promise rejects with; fails the test if it resolves or throws something else. */
export async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ProviderError);
  return outcome as ProviderError;
}
