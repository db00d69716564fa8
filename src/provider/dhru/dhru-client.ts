/**
 * The DHRU Fusion order API (dhru-fusion-api.md) behind the engine's ProviderClient: the
 * catalogue, placing (bulk where the server has it), results, the balance and a read-only bulk
 * probe. Every failure is thrown as the ProviderError subclass that says whether orders may
 * have been placed; the user name and key travel in the request body only and appear in no message.
 */
import { ProviderPermanentError } from '../../errors.js';
import { type ProviderCapabilities, MAX_IDS_PER_RESULT_CALL, dhruCapabilities } from '../capabilities.js';
import type { DhruAction } from '../classify.js';
import { DEFAULT_CONNECTIONS, DEFAULT_MAX_REPLY_BYTES, DEFAULT_TIMEOUT_MS, type ProviderConnectionOptions } from '../options.js';
import type { AccountBalance, CatalogueEntry, OrderResult, PlaceOrderResult, ProviderClient } from '../types.js';
import { readAccountInfo } from './account.js';
import { BulkMemory, unreadableShowsNoBulk } from './bulk-memory.js';
import { readCatalogue } from './catalogue.js';
import type { JsonObject } from './json-reply.js';
import { base64JsonParameters, singleParameters } from './parameters.js';
import { DhruPlacer } from './place-orders.js';
import { type RefusalContext, refusalError, refusalKind } from './refusals.js';
import { isKeyedBy, readBulkResults, readReference, readResultEntry } from './results.js';
import { type DhruSettings, type ResolvedDhruSettings, initialBulk, resolveDhruSettings } from './settings.js';
import { type DhruAnswer, DhruTransport } from './transport.js';

export interface DhruClientOptions extends ProviderConnectionOptions {
  /** `provider.dhru.*`; defaults in settings.ts. */
  dhru?: DhruSettings;
}

/** The made-up id the bulk probe asks for: read-only, and harmless if it names someone's order. */
const PROBE_ORDER_ID = '1';

export class DhruClient implements ProviderClient {
  private readonly transport: DhruTransport;
  private readonly settings: ResolvedDhruSettings;
  private readonly bulk: BulkMemory;
  private readonly placer: DhruPlacer;
  /** Services of the last catalogue that cannot be ordered with an IMEI alone, with the reason. */
  private readonly notOrderable = new Map<string, string>();

  constructor(options: DhruClientOptions) {
    this.settings = resolveDhruSettings(options.dhru);
    this.transport = new DhruTransport({
      baseUrl: options.baseUrl,
      username: options.username,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      maxReplyBytes: options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES,
    });
    this.bulk = new BulkMemory(this.settings.bulk, initialBulk(this.settings));
    this.placer = new DhruPlacer(this.transport, this.settings, this.bulk, (signal) => this.askBulk(signal));
  }

  capabilities(): ProviderCapabilities {
    return dhruCapabilities(this.settings.refusesRepeats, this.bulk.current);
  }

  /** `imeiservicelist`. Services that need more than an IMEI are marked, and refused by placeOrder afterwards. */
  async listServices(signal?: AbortSignal): Promise<CatalogueEntry[]> {
    const action: DhruAction = 'imeiservicelist';
    const { json, status } = this.expectReply(await this.transport.call(action, undefined, signal), action, 'other');
    const entries = readCatalogue(json);
    if (entries === undefined) throw this.transport.fail({ kind: 'bad-reply', status, problem: 'the reply holds no LIST' }, action);
    this.notOrderable.clear();
    for (const entry of entries) {
      if (entry.orderableByImei === false) this.notOrderable.set(entry.id, entry.notOrderableReason ?? 'not an IMEI service');
    }
    return entries;
  }

  /** `accountinfo`: the balance, as text and, where it reads without guessing, as a number. */
  async accountInfo(signal?: AbortSignal): Promise<AccountBalance> {
    const action: DhruAction = 'accountinfo';
    const { json, status } = this.expectReply(await this.transport.call(action, undefined, signal), action, 'other');
    const balance = readAccountInfo(json);
    if (balance === undefined) throw this.transport.fail({ kind: 'bad-reply', status, problem: 'the reply holds no account info' }, action);
    return balance;
  }

  async placeOrder(serviceId: string, imeis: readonly string[], signal?: AbortSignal): Promise<PlaceOrderResult> {
    if (serviceId.trim() === '') throw new Error('placeOrder needs a service id');
    if (imeis.length === 0) throw new Error('placeOrder needs at least one IMEI');
    const reason = this.notOrderable.get(serviceId);
    if (reason !== undefined) {
      throw new ProviderPermanentError(`service ${serviceId} cannot be ordered with an IMEI alone (${reason}); nothing was sent`);
    }
    return this.placer.place(serviceId, imeis, signal);
  }

  /**
   * Results of up to 100 orders: one `getimeiorderbulk` where the server has it (entries name no
   * IMEI: `imei` is empty), else one `getimeiorder` per id. Unknown ids are absent.
   */
  async getOrders(orderIds: readonly string[], signal?: AbortSignal): Promise<OrderResult[]> {
    if (orderIds.length > MAX_IDS_PER_RESULT_CALL) {
      throw new Error(`getOrders takes at most ${MAX_IDS_PER_RESULT_CALL} order ids, got ${orderIds.length}`);
    }
    if (orderIds.length === 0) return [];
    if (this.bulk.current !== false) {
      const results = await this.readBulk(orderIds, signal);
      if (results !== undefined) return results;
    }
    return this.lookUpOrders(orderIds, signal);
  }

  /** One `getimeiorder` per id, in order: its reply names the IMEI. Ids the server does not know are absent. */
  async lookUpOrders(orderIds: readonly string[], signal?: AbortSignal): Promise<OrderResult[]> {
    const action: DhruAction = 'getimeiorder';
    const results: OrderResult[] = [];
    for (const orderId of new Set(orderIds)) {
      const answer = await this.transport.call(action, singleParameters(this.settings.singleEncoding, { ID: orderId }), signal);
      if (answer.kind === 'refusal') {
        const kind = refusalKind(answer.text, this.settings.patterns, 'read');
        // Another account's id, or none: an `ERROR`, on one panel a 404.
        if (kind === 'unknownOrder' || (kind === 'other' && answer.status === 404)) continue;
        throw refusalError(kind, answer.text, action, { httpStatus: answer.status });
      }
      if (answer.kind === 'unreadable') {
        throw this.transport.fail({ kind: 'bad-reply', status: answer.status, problem: answer.problem }, action);
      }
      const read = readResultEntry(answer.json, orderId);
      if (read.kind !== 'found') {
        const problem = read.kind === 'error' ? read.text : 'the reply holds no STATUS';
        throw this.transport.fail({ kind: 'bad-reply', status: answer.status, problem: this.transport.clean(problem) }, action);
      }
      results.push(read.result);
    }
    return results;
  }

  /**
   * Asks, read-only, whether the server has the bulk actions (a `getimeiorderbulk` for a made-up
   * id comes back keyed by its reference, or the server has none). With `bulk: "auto"` the
   * answer is remembered; `on` and `off` stay as configured whatever it says.
   */
  async probeBulk(signal?: AbortSignal): Promise<boolean> {
    const supported = await this.askBulk(signal);
    this.bulk.learn(supported);
    return supported;
  }

  /** What is known of bulk support now: undefined until learnt (`auto`). */
  bulkSupport(): boolean | undefined {
    return this.bulk.current;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private async askBulk(signal?: AbortSignal): Promise<boolean> {
    const reference = readReference(PROBE_ORDER_ID);
    const answer = await this.transport.call('getimeiorderbulk', base64JsonParameters({ [reference]: { ID: PROBE_ORDER_ID } }), signal);
    return this.bulkAnswered(answer, [reference]);
  }

  /**
   * Whether a bulk read shows bulk support: keyed by a reference sent. Anything else (`Invalid
   * Action`, an empty or non-JSON body, another refusal, a reply not keyed by us) means no. A
   * credentials refusal and a JSON reply cut short say nothing about bulk: they are thrown.
   */
  private bulkAnswered(answer: DhruAnswer, references: readonly string[]): boolean {
    const action: DhruAction = 'getimeiorderbulk';
    if (answer.kind === 'reply') return isKeyedBy(answer.json, references);
    if (answer.kind === 'refusal') {
      const kind = refusalKind(answer.text, this.settings.patterns, 'read');
      if (kind === 'credentials') throw refusalError(kind, answer.text, action, { httpStatus: answer.status });
      return false;
    }
    if (unreadableShowsNoBulk(answer.body)) return false;
    throw this.transport.fail({ kind: 'bad-reply', status: answer.status, problem: answer.problem }, action);
  }

  /** A bulk read; undefined when it showed that the server has no bulk (`auto` falls back to single reads). */
  private async readBulk(orderIds: readonly string[], signal?: AbortSignal): Promise<OrderResult[] | undefined> {
    const action: DhruAction = 'getimeiorderbulk';
    const unique = [...new Set(orderIds)];
    const references = unique.map(readReference);
    const rows = Object.fromEntries(unique.map((orderId) => [readReference(orderId), { ID: orderId }]));
    const answer = await this.transport.call(action, base64JsonParameters(rows), signal);
    if (this.bulk.isAuto) {
      // Read-only, so a bulk read is as good a probe as the probe itself.
      const supported = this.bulkAnswered(answer, references);
      this.bulk.learn(supported);
      if (!supported) return undefined;
    }
    const { json } = this.expectReply(answer, action, 'read');
    return readBulkResults(json, unique);
  }

  /** The reply of a call that must succeed; a refusal or an unreadable body is thrown, classified. */
  private expectReply(answer: DhruAnswer, action: DhruAction, context: RefusalContext): { json: JsonObject; status: number } {
    if (answer.kind === 'reply') return { json: answer.json, status: answer.status };
    if (answer.kind === 'refusal') {
      throw refusalError(refusalKind(answer.text, this.settings.patterns, context), answer.text, action, { httpStatus: answer.status });
    }
    throw this.transport.fail({ kind: 'bad-reply', status: answer.status, problem: answer.problem }, action);
  }
}
