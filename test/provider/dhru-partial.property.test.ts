/**
 * Property: whatever a series of one-IMEI calls (or a bulk reply) comes back with, every IMEI
 * sent ends up in exactly one place the engine can act on: a list of the result, or, when the
 * call throws, a list of `details.partial`; and nothing after a stop is sent.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { DhruClient, type PartialPlacement, type PlaceOrderResult } from '../../src/provider/index.js';
import { type FakeProvider, type ReplyWith, startFakeProvider, xmlReply } from './fake-provider.js';
import { DHRU_KEY, DHRU_USER, jsonReply, placed, refused } from './dhru-harness.js';

const REPLIES = {
  placed: (n: number) => jsonReply(placed(1000 + n)),
  noReference: () => jsonReply({ SUCCESS: [{ MESSAGE: 'Order received' }] }),
  duplicate: () => jsonReply(refused('Duplicate IMEI[x]'), 400),
  badImei: () => jsonReply(refused('Invalid IMEI![x]')),
  other: () => jsonReply(refused('Invalid IMEI tool.')),
  credit: () => jsonReply(refused('Not enough credits')),
  encoding: () => jsonReply(refused("Parameter 'ID' Required")),
  page500: () => xmlReply('<html>500</html>', 500),
  page404: () => xmlReply('<html>404</html>', 404),
  page503: () => xmlReply('<html>503</html>', 503),
  empty: () => jsonReply(''),
} satisfies Record<string, (n: number) => ReplyWith>;

type ReplyKind = keyof typeof REPLIES;

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.close());

/** Where each IMEI ended up, by list name. */
function places(outcome: PlaceOrderResult | PartialPlacement): [string, string][] {
  const settled = 'settled' in outcome ? outcome.settled : outcome;
  const listed: [string, string][] = [
    ...settled.placed.map((order): [string, string] => [order.imei, 'placed']),
    ...settled.duplicates.map((imei): [string, string] => [imei, 'duplicate']),
    ...settled.rejected.map((imei): [string, string] => [imei, 'rejected']),
    ...(settled.refused ?? []).map((row): [string, string] => [row.imei, 'refused']),
  ];
  if ('settled' in outcome) {
    listed.push(...outcome.heldBack.map((imei): [string, string] => [imei, 'heldBack']));
    listed.push(...outcome.notSent.map((imei): [string, string] => [imei, 'notSent']));
    listed.push(...outcome.unknown.map((imei): [string, string] => [imei, 'unknown']));
  }
  return listed;
}

const STOPS: ReadonlySet<ReplyKind> = new Set(['credit', 'encoding', 'page500', 'page404', 'page503', 'empty']);

describe('every IMEI in exactly one place', () => {
  it('property: one-IMEI calls', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...(Object.keys(REPLIES) as ReplyKind[])), { minLength: 1, maxLength: 6 }), async (kinds) => {
        fake.requests.length = 0;
        let call = 0;
        fake.replyWith((request, response) => REPLIES[kinds[call] ?? 'placed'](call++)(request, response));
        const imeis = kinds.map((_kind, n) => `35337008000000${n}`);
        const client = new DhruClient({ baseUrl: fake.baseUrl, username: DHRU_USER, apiKey: DHRU_KEY, timeoutMs: 2000, dhru: { bulk: 'off' } });
        try {
          const outcome = await client.placeOrder('1739', imeis).then(
            (result) => result,
            (error: unknown) => {
              expect(error).toBeInstanceOf(ProviderError);
              const partial = (error as ProviderError).details.partial;
              expect(partial).toBeDefined();
              return partial as PartialPlacement;
            },
          );
          const listed = places(outcome);
          const stop = kinds.findIndex((kind) => STOPS.has(kind));
          // A SUCCESS without REFERENCEID leaves its IMEI in no list of a result: unknown to the engine.
          const silent = 'settled' in outcome ? [] : imeis.filter((_imei, n) => kinds[n] === 'noReference');
          expect([...listed.map(([imei]) => imei), ...silent].sort()).toEqual([...imeis].sort());
          expect(fake.requests).toHaveLength(stop === -1 ? kinds.length : stop + 1);
          if (stop !== -1) expect(listed.filter(([, place]) => place === 'notSent').map(([imei]) => imei)).toEqual(imeis.slice(stop + (kinds[stop] === 'page503' ? 0 : 1)));
        } finally {
          await client.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('property: a bulk reply with rows missing, refused for credit, or cut short', async () => {
    const row = fc.constantFrom('placed', 'duplicate', 'credit', 'missing', 'noReference');
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 8 }), fc.boolean(), async (rows, cut) => {
        const body = Object.fromEntries(
          rows.flatMap((kind, n): [string, unknown][] => {
            if (kind === 'missing') return [];
            const entry = { placed: placed(50 + n), duplicate: refused('Duplicate IMEI[x]'), credit: refused('Insufficient Credits!'), noReference: { SUCCESS: [{}] } }[kind];
            return [[`r${n + 1}`, entry]];
          }),
        );
        const text = JSON.stringify(body);
        fake.replyWith(jsonReply(cut ? text.slice(0, Math.floor(text.length / 2)) : text));
        const imeis = rows.map((_kind, n) => `35168505100319${n}`);
        const client = new DhruClient({ baseUrl: fake.baseUrl, username: DHRU_USER, apiKey: DHRU_KEY, timeoutMs: 2000, dhru: { bulk: 'on' } });
        try {
          const outcome = await client.placeOrder('1739', imeis).then(
            (result) => ({ result }),
            (error: unknown) => ({ partial: (error as ProviderError).details.partial }),
          );
          if ('result' in outcome) {
            expect(rows.includes('credit') || cut).toBe(false);
            const listed = places(outcome.result).map(([imei]) => imei);
            const silent = imeis.filter((_imei, n) => rows[n] === 'missing' || rows[n] === 'noReference');
            expect([...listed, ...silent].sort()).toEqual([...imeis].sort());
          } else {
            // Cut short or refused for credit: every row listed, those not carried whole as unknown.
            expect(places(outcome.partial ?? { settled: { placed: [], duplicates: [], rejected: [] }, heldBack: [], notSent: [], unknown: [] })
              .map(([imei]) => imei)
              .sort()).toEqual([...imeis].sort());
          }
        } finally {
          await client.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
