/** The GSM Fusion API (gsmfusion-api.md) as a SimulatedProtocol: actions.ts and xml.ts behind one endpoint. */
import { answerCall, type ActionSettings, type CallFields } from './actions.js';
import type { ActionKind, ProtocolAnswer, SimulatedProtocol } from './protocol.js';
import type { OrderBook } from './orders.js';
import { xmlDocument } from './xml.js';

export const ENDPOINT_PATH = '/gsmfusion_api/index.php';

export const GSM_FUSION_ACTIONS: readonly string[] = ['imeiservices', 'placeorder', 'getimeis'];

export class GsmFusionProtocol implements SimulatedProtocol {
  readonly endpointPath = ENDPOINT_PATH;
  readonly actions = GSM_FUSION_ACTIONS;

  constructor(
    private readonly book: OrderBook,
    private readonly settings: ActionSettings,
    private readonly brokenDeclaration: boolean,
  ) {}

  kindOf(action: string): ActionKind {
    if (action === 'placeorder') return 'place';
    return action === 'getimeis' ? 'read' : 'other';
  }

  answer(fields: CallFields): ProtocolAnswer {
    const answer = answerCall(fields, this.book, this.settings);
    // Live: HTTP 200 even for errors.
    const body = xmlDocument(answer.root, this.brokenDeclaration);
    return { reply: { status: 200, contentType: 'text/xml; charset=utf-8', body }, imeisReceived: answer.imeisReceived, tally: answer.tally };
  }
}
