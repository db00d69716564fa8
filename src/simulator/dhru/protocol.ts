/**
 * DHRU Fusion at `/api/index.php` as a SimulatedProtocol: credentials, the action, then the
 * reply as JSON text with the template's headers, or the variation the options ask for (no
 * bulk, an empty body for unknown actions, 4xx refusals).
 */
import { type CallFields, NO_IMEIS } from '../actions.js';
import type { Credit } from '../credit.js';
import type { OrderBook } from '../orders.js';
import type { ActionKind, ProtocolAnswer, SimulatedProtocol } from '../protocol.js';
import type { DhruSimulatorOptions } from '../types.js';
import { DhruActions, type DhruReply, type DhruSettings, dhruSettings } from './actions.js';
import { phpJson } from './render.js';

export const DHRU_ENDPOINT_PATH = '/api/index.php';

export const DHRU_ACTIONS: readonly string[] = [
  'accountinfo',
  'imeiservicelist',
  'placeimeiorder',
  'placeimeiorderbulk',
  'getimeiorder',
  'getimeiorderbulk',
];

const HEADERS = { 'X-Powered-By': 'DHRU-FUSION', 'dhru-fusion-api-version': '6.1' };

export interface DhruCredentials {
  /** Checked only when non-empty and `apiKey` is non-empty. */
  username: string;
  /** When non-empty, calls with another key are refused `Authentication Failed`. */
  apiKey: string;
}

export class DhruProtocol implements SimulatedProtocol {
  readonly endpointPath = DHRU_ENDPOINT_PATH;
  readonly actions = DHRU_ACTIONS;
  private readonly settings: DhruSettings;
  private readonly logic: DhruActions;

  constructor(
    book: OrderBook,
    credit: Credit,
    private readonly credentials: DhruCredentials,
    options: DhruSimulatorOptions = {},
  ) {
    this.settings = dhruSettings(options);
    this.logic = new DhruActions(book, credit, this.settings);
  }

  kindOf(action: string): ActionKind {
    if (action === 'placeimeiorder' || action === 'placeimeiorderbulk') return 'place';
    return action === 'getimeiorder' || action === 'getimeiorderbulk' ? 'read' : 'other';
  }

  answer(fields: CallFields): ProtocolAnswer {
    const reply = this.reply(fields);
    if (reply === undefined) {
      return { reply: { status: 200, contentType: 'text/html; charset=UTF-8', body: '' }, imeisReceived: 0, tally: { ...NO_IMEIS } };
    }
    const { tally } = reply;
    return {
      reply: { status: reply.status, contentType: 'application/json; charset=utf-8', headers: HEADERS, body: phpJson(reply.json) },
      imeisReceived: tally.placed + tally.duplicates + tally.malformed + tally.ignored + tally.noCredit,
      tally,
    };
  }

  /** The reply object, or undefined for the empty body of a panel that does not know the action. */
  private reply(fields: CallFields): DhruReply | undefined {
    if (!this.authenticated(fields)) return this.logic.refuse('Authentication Failed', 401);
    const action = fields.get('action') ?? '';
    const parameters = fields.get('parameters');
    const isBulk = action === 'placeimeiorderbulk' || action === 'getimeiorderbulk';
    const hasBulk = this.settings.bulk === 'keyed' || this.settings.bulk === 'wrapped';
    if (isBulk && !hasBulk) return this.unknownAction();
    switch (action) {
      case 'accountinfo':
        return this.logic.accountInfo();
      case 'imeiservicelist':
        return this.logic.serviceList();
      case 'placeimeiorder':
        return this.logic.placeSingle(parameters);
      case 'placeimeiorderbulk':
        return this.logic.placeBulk(parameters);
      case 'getimeiorder':
        return this.logic.getSingle(parameters);
      case 'getimeiorderbulk':
        return this.logic.getBulk(parameters);
      default:
        return this.unknownAction();
    }
  }

  /** One panel's dispatcher has no default branch: it answers nothing at all. */
  private unknownAction(): DhruReply | undefined {
    return this.settings.bulk === 'empty' ? undefined : this.logic.refuse('Invalid Action');
  }

  private authenticated(fields: CallFields): boolean {
    const { username, apiKey } = this.credentials;
    if (apiKey === '') return true;
    if (username !== '' && fields.get('username') !== username) return false;
    return fields.get('apiaccesskey') === apiKey;
  }
}
