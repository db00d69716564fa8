/**
 * The DHRU order logic behind `/api/index.php` (dhru-fusion-api.md, "Actions"): placing one
 * IMEI at a time (bulk rows are handled one after another, so a balance that runs out refuses
 * only the later rows), results by order id, the balance and the catalogue. Knows nothing of
 * HTTP, faults or JSON text: it returns the reply object and its HTTP status.
 */
import type { ImeiTally } from '../actions.js';
import { buildResultParts } from '../codes.js';
import type { Credit } from '../credit.js';
import { isFifteenDigits } from '../imei.js';
import type { OrderBook } from '../orders.js';
import type { DhruSimulatorOptions, SimulatorOrder } from '../types.js';
import { findDhruService, renderServiceList } from './catalogue.js';
import { type AcceptedEncoding, readBulkParameters, readSingleParameters } from './params.js';
import { API_VERSION, errorEnvelope, htmlEscape, numberField } from './render.js';

/** DhruSimulatorOptions with every default filled in. */
export type DhruSettings = Required<DhruSimulatorOptions>;

export function dhruSettings(options: DhruSimulatorOptions = {}): DhruSettings {
  return {
    bulk: options.bulk ?? 'keyed',
    stringNumbers: options.stringNumbers ?? false,
    processingStatus: options.processingStatus ?? 1,
    codeFormat: options.codeFormat ?? 'dash',
    singleEncoding: options.singleEncoding ?? 'both',
    httpErrors: options.httpErrors ?? false,
    errorShape: options.errorShape ?? 'list',
    listShape: options.listShape ?? 'objects',
    accountInfoKey: options.accountInfoKey ?? 'AccoutInfo',
    creditFormat: options.creditFormat ?? 'text',
    refusesRepeats: options.refusesRepeats ?? true,
    unknownIdsInBulk: options.unknownIdsInBulk ?? 'error',
  };
}

/** A reply before HTTP: its status (with `httpErrors`) and its object. */
export interface DhruReply {
  status: number;
  json: Record<string, unknown>;
  tally: ImeiTally;
}

/** One placing row's fate: an order id, or a refusal with the status the modern panel gives it. */
type RowResult = { orderId: string } | { error: string; status: number };

function emptyTally(): ImeiTally {
  return { placed: 0, duplicates: 0, malformed: 0, ignored: 0, noCredit: 0, repeats: 0 };
}

export class DhruActions {
  constructor(
    private readonly book: OrderBook,
    private readonly credit: Credit,
    private readonly settings: DhruSettings,
  ) {}

  /** A refusal of the whole call. */
  refuse(message: string, status = 400): DhruReply {
    return { status: this.settings.httpErrors ? status : 200, json: { ...errorEnvelope(message, this.settings.errorShape), apiversion: API_VERSION }, tally: emptyTally() };
  }

  private ok(json: Record<string, unknown>, tally: ImeiTally = emptyTally()): DhruReply {
    return { status: 200, json: { ...json, apiversion: API_VERSION }, tally };
  }

  accountInfo(): DhruReply {
    const amount = this.credit.amount;
    const text = amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const credit = { text, number: amount, suffix: `${amount.toFixed(2)} USD` }[this.settings.creditFormat];
    const info = { credit, mail: 'tester@example.com', currency: 'USD' };
    return this.ok({ SUCCESS: [{ message: 'Your Accout Info', [this.settings.accountInfoKey]: info }] });
  }

  serviceList(): DhruReply {
    return this.ok({ SUCCESS: [{ MESSAGE: 'IMEI Service List', LIST: renderServiceList(this.settings.listShape, this.settings.stringNumbers) }] });
  }

  placeSingle(raw: string | undefined): DhruReply {
    const fields = readSingleParameters(raw, this.settings.singleEncoding as AcceptedEncoding);
    if (fields === undefined) return this.refuse('Invalid parameters: Invalid format');
    const tally = emptyTally();
    const row = this.placeRow(fields, tally);
    if ('error' in row) return { ...this.refuse(row.error, row.status), tally };
    return this.ok({ SUCCESS: [{ MESSAGE: 'Order received', REFERENCEID: this.number(row.orderId) }] }, tally);
  }

  placeBulk(raw: string | undefined): DhruReply {
    const rows = readBulkParameters(raw);
    if (rows === undefined) return this.refuse('Parameters must be valid base64-encoded JSON');
    const tally = emptyTally();
    const wrapped = this.settings.bulk === 'wrapped';
    const replies: Record<string, unknown> = {};
    for (const [reference, fields] of rows) {
      const row = this.placeRow(fields, tally);
      if (wrapped) {
        replies[reference] = 'error' in row
          ? { status: 'error', message: row.error }
          : { status: 'success', message: 'Order received', referenceid: this.number(row.orderId) };
      } else {
        replies[reference] = 'error' in row
          ? errorEnvelope(row.error, this.settings.errorShape)
          : { SUCCESS: [{ MESSAGE: 'Order received', REFERENCEID: this.number(row.orderId) }] };
      }
    }
    const reply = this.ok(wrapped ? { SUCCESS: replies } : replies, tally);
    if (wrapped) reply.json['apiversion'] = '1.0'; // the modern panel's version
    return reply;
  }

  getSingle(raw: string | undefined): DhruReply {
    const fields = readSingleParameters(raw, this.settings.singleEncoding as AcceptedEncoding);
    if (fields === undefined) return this.refuse('Invalid parameters: Invalid format');
    const orderId = fields.get('ID') ?? '';
    if (orderId === '') return this.refuse("Parameter 'ID' Required");
    const [order] = this.book.lookUp([orderId]);
    if (order === undefined) return this.refuse('No IMEI Found', 404);
    return this.ok({ ID: orderId, SUCCESS: [{ IMEI: order.imei, ...this.statusAndCode(order), COMMENTS: '' }] });
  }

  getBulk(raw: string | undefined): DhruReply {
    const rows = readBulkParameters(raw);
    if (rows === undefined) return this.refuse('Parameters must be valid base64-encoded JSON');
    const replies: Record<string, unknown> = {};
    for (const [reference, fields] of rows) {
      const [order] = this.book.lookUp([fields.get('ID') ?? '']);
      if (order !== undefined) replies[reference] = { SUCCESS: [this.statusAndCode(order)] };
      else if (this.settings.unknownIdsInBulk === 'pending') replies[reference] = { SUCCESS: [{ STATUS: this.number('0'), CODE: '' }] };
      else replies[reference] = errorEnvelope('No IMEI Found', this.settings.errorShape);
    }
    return this.ok(replies);
  }

  /** Checks in the order a panel would: service, inputs, IMEI, repeat, money; then orders and charges. */
  private placeRow(fields: ReadonlyMap<string, string>, tally: ImeiTally): RowResult {
    const serviceId = (fields.get('ID') ?? '').trim();
    if (serviceId === '') return { error: "Parameter 'ID' Required", status: 400 };
    const service = findDhruService(serviceId);
    if (service === undefined) return { error: 'Invalid service ID', status: 404 };
    const missing = service.type === 'IMEI' ? service.requires[0] : 'QNT';
    if (missing !== undefined) return { error: `Missing required field: ${missing}`, status: 400 };
    const imei = (fields.get('IMEI') ?? '').trim();
    if (imei === '') return { error: 'No IMEI found.', status: 400 };
    if (!isFifteenDigits(imei)) {
      tally.malformed += 1;
      return { error: `Invalid IMEI![${imei}]`, status: 400 };
    }
    if (this.settings.refusesRepeats && this.book.holds(serviceId, imei)) {
      this.book.place(serviceId, [imei]); // counts the refusal on the earlier order
      tally.duplicates += 1;
      return { error: `Duplicate IMEI[${imei}]`, status: 400 };
    }
    if (!this.credit.spend(service.price)) {
      tally.noCredit += 1;
      return { error: 'Not enough credits', status: 400 };
    }
    const [placed] = this.book.place(serviceId, [imei], { allowRepeats: true }).placed;
    if (placed === undefined) throw new Error('the order book refused an order it was asked to allow');
    tally.placed += 1;
    if (placed.repeatOf !== undefined) tally.repeats += 1;
    return { orderId: placed.orderId };
  }

  private statusAndCode(order: SimulatorOrder): { STATUS: number | string; CODE: string } {
    const status = { Pending: '0', 'In Process': String(this.settings.processingStatus), Rejected: '3', Completed: '4' }[order.status];
    return { STATUS: this.number(status), CODE: this.code(order) };
  }

  /** `br`: the same fields as the GSM Fusion code, one per line as HTML, `&` as `&amp;`. */
  private code(order: SimulatorOrder): string {
    if (this.settings.codeFormat === 'dash' || order.status !== 'Completed') return order.code;
    return buildResultParts(order.serviceId, order.imei).map(htmlEscape).join('<br>');
  }

  private number(text: string): number | string {
    return numberField(text, this.settings.stringNumbers);
  }
}
