/**
 * The simulator's HTTP edge: one endpoint, in-flight accounting, latency, faults, down/up.
 * The order logic lives behind the protocol (GSM Fusion's actions.ts, or dhru/); this file
 * decides only what the client gets to see.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CallFields, ImeiTally } from './actions.js';
import { Credit } from './credit.js';
import {
  checkFaults,
  FAULT_KINDS,
  FAULTS_BEFORE_ORDER,
  INTERNAL_ERROR_PAGE,
  METHOD_NOT_ALLOWED_PAGE,
  NOT_FOUND_PAGE,
  pickFault,
  TOO_LARGE_PAGE,
  TOO_MANY_REQUESTS_PAGE,
  UNAVAILABLE_PAGE,
  type HtmlPage,
} from './faults.js';
import { BodyTooLargeError, readFormFields } from './form.js';
import { OrderIdSequence } from './order-ids.js';
import { OrderBook } from './orders.js';
import { createSimulatedProtocol, faultActionsOf, type SimulatedProtocol, type SimulatedReply } from './protocol.js';
import { mulberry32, type RandomSource } from './random.js';
import type {
  Simulator,
  SimulatorFaultKind,
  SimulatorFaults,
  SimulatorOptions,
  SimulatorOrder,
  SimulatorProtocol,
  SimulatorStats,
} from './types.js';

export { ENDPOINT_PATH } from './gsmfusion-protocol.js';

const DEFAULT_COMPLETE_AFTER_MS = 2000;
const DEFAULT_SEED = 1;

function zeroFaultCounts(): Record<SimulatorFaultKind, number> {
  const counts = {} as Record<SimulatorFaultKind, number>;
  for (const kind of FAULT_KINDS) counts[kind] = 0;
  return counts;
}

/** The stats fed by the IMEIs of placing calls (countImeis). */
const NO_IMEI_COUNTS = {
  imeisReceived: 0,
  ordersPlaced: 0,
  duplicatesRefused: 0,
  malformedRefused: 0,
  imeisIgnored: 0,
  refusedNoCredit: 0,
  repeatsOrdered: 0,
};

function pathOf(request: IncomingMessage): string {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  // Web servers in front of PHP fold `//` (the vendor's sample client sends one after a trailing slash).
  return path.replace(/\/{2,}/g, '/');
}

function checkNonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`simulator ${name} must be a number >= 0, got ${value}`);
  return value;
}

class SimulatorServer implements Simulator {
  private readonly server: Server;
  private readonly host: string;
  private boundPort: number;
  private readonly book: OrderBook;
  private readonly random: RandomSource;
  private readonly faultActions: ReadonlySet<string>;
  readonly protocol: SimulatorProtocol;
  private readonly api: SimulatedProtocol;
  private readonly account: Credit;
  private readonly inFlightLimit: number;
  private faults: SimulatorFaults;
  private latencyMs: number;
  private readonly counters: Omit<SimulatorStats, 'inFlight' | 'faultsInjected' | 'callsByAction'>;
  private readonly callsByAction = new Map<string, number>();
  private readonly faultCounts = zeroFaultCounts();
  private inFlight = 0;
  private readonly arrivals: number[] = [];
  /** Sockets of `hang` faults: left open on purpose, destroyed on close() or setDown(true). */
  private readonly hungSockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private down = false;
  private closing: Promise<void> | undefined;

  constructor(options: SimulatorOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.boundPort = options.port ?? 0;
    const ids = new OrderIdSequence({ firstOrderId: options.firstOrderId, otherAccountOrders: options.otherAccountOrders });
    const completeAfterMs = checkNonNegative('completeAfterMs', options.completeAfterMs ?? DEFAULT_COMPLETE_AFTER_MS);
    this.book = new OrderBook(completeAfterMs, Date.now, ids);
    this.random = mulberry32(options.seed ?? DEFAULT_SEED);
    this.account = new Credit(options.credit);
    this.protocol = options.protocol ?? 'gsmfusion';
    this.api = createSimulatedProtocol(options, this.book, this.account);
    this.faultActions = faultActionsOf(options.faultActions ?? ['placeorder'], this.api);
    this.inFlightLimit = checkNonNegative('maxInFlight', options.maxInFlight ?? 0);
    this.faults = checkFaults(options.faults ?? {});
    this.latencyMs = checkNonNegative('latencyMs', options.latencyMs ?? 0);
    this.counters = { placeorderCalls: 0, getimeisCalls: 0, maxInFlight: 0, rateLimited: 0, ...NO_IMEI_COUNTS };
    this.server = createServer((request, response) => {
      this.serve(request, response).catch(() => this.sendPage(response, INTERNAL_ERROR_PAGE));
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.boundPort}`;
  }

  orders(): SimulatorOrder[] {
    return this.book.all();
  }

  callTimes(): number[] {
    return [...this.arrivals];
  }

  stats(): SimulatorStats {
    return {
      ...this.counters,
      callsByAction: Object.fromEntries(this.callsByAction),
      inFlight: this.inFlight,
      faultsInjected: { ...this.faultCounts },
    };
  }

  credit(): number {
    return this.account.amount;
  }

  setCredit(credit: number): void {
    this.account.set(credit);
  }

  setFaults(faults: SimulatorFaults): void {
    this.faults = checkFaults(faults);
  }

  setLatency(ms: number): void {
    this.latencyMs = checkNonNegative('latencyMs', ms);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.boundPort, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
  }

  async setDown(down: boolean): Promise<void> {
    if (this.closing !== undefined) throw new Error('the simulator is closed');
    if (down === this.down) return;
    this.down = down;
    if (down) await this.stopListening();
    else await this.listen();
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (!this.down) await this.stopListening();
  }

  /** Refuses new connections and cuts the open ones, as a server that went away would. */
  private async stopListening(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.hungSockets) socket.destroy();
    this.hungSockets.clear();
    await closed;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Counted from the first byte until the reply is finished or the socket is gone, whatever happens between.
    this.inFlight++;
    this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.inFlight);
    response.once('close', () => this.inFlight--);
    const overLimit = this.inFlightLimit > 0 && this.inFlight > this.inFlightLimit;

    let fields: CallFields;
    try {
      fields = await readFormFields(request);
    } catch (error) {
      if (error instanceof BodyTooLargeError) this.sendPage(response, TOO_LARGE_PAGE);
      return; // otherwise the client went away mid-body
    }
    if (pathOf(request) !== this.api.endpointPath) return this.sendPage(response, NOT_FOUND_PAGE);
    if (request.method !== 'POST') return this.sendPage(response, METHOD_NOT_ALLOWED_PAGE, { Allow: 'POST' });

    const action = fields.get('action') ?? '';
    this.arrivals.push(Date.now());
    this.callsByAction.set(action, (this.callsByAction.get(action) ?? 0) + 1);
    const kind = this.api.kindOf(action);
    if (kind === 'place') this.counters.placeorderCalls++;
    if (kind === 'read') this.counters.getimeisCalls++;

    if (overLimit) {
      this.counters.rateLimited++;
      await this.wait(this.latencyMs);
      return this.sendPage(response, TOO_MANY_REQUESTS_PAGE, { 'Retry-After': '1' });
    }

    const fault = this.faultActions.has(action) ? pickFault(this.faults, this.random) : undefined;
    if (fault !== undefined) this.faultCounts[fault]++;
    if (fault !== undefined && FAULTS_BEFORE_ORDER.has(fault)) {
      await this.wait(this.latencyMs);
      return this.sendEarlyFault(response, fault);
    }

    // The orders are taken now, whatever the client gets to see afterwards.
    const answer = this.api.answer(fields);
    this.countImeis(answer.imeisReceived, answer.tally);
    await this.wait(this.latencyMs);

    switch (fault) {
      case 'dropAfterOrder':
        request.socket.destroy();
        return;
      case 'hang':
        this.hang(request.socket);
        return;
      case 'truncated':
        return this.sendTruncated(response, answer.reply);
      default:
        return this.sendReply(response, answer.reply);
    }
  }

  private countImeis(imeisReceived: number, tally: ImeiTally): void {
    this.counters.imeisReceived += imeisReceived;
    this.counters.ordersPlaced += tally.placed;
    this.counters.duplicatesRefused += tally.duplicates;
    this.counters.malformedRefused += tally.malformed;
    this.counters.imeisIgnored += tally.ignored;
    this.counters.refusedNoCredit += tally.noCredit;
    this.counters.repeatsOrdered += tally.repeats;
  }

  private sendEarlyFault(response: ServerResponse, fault: SimulatorFaultKind): void {
    if (fault === 'rateLimit') {
      this.counters.rateLimited++;
      this.sendPage(response, TOO_MANY_REQUESTS_PAGE, { 'Retry-After': '1' });
    } else {
      this.sendPage(response, fault === 'http503' ? UNAVAILABLE_PAGE : INTERNAL_ERROR_PAGE);
    }
  }

  private hang(socket: Socket): void {
    if (socket.destroyed) return;
    this.hungSockets.add(socket);
    socket.once('close', () => this.hungSockets.delete(socket));
  }

  private wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    // A wait cut by close() never resolves: nothing is left to answer.
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private sendReply(response: ServerResponse, reply: SimulatedReply): void {
    if (response.destroyed || response.headersSent) return;
    const body = Buffer.from(reply.body, 'utf8');
    response.writeHead(reply.status, { ...reply.headers, 'Content-Type': reply.contentType, 'Content-Length': body.length });
    response.end(body);
  }

  /** A well-delimited 200 whose body stops half way, then the connection closes. */
  private sendTruncated(response: ServerResponse, reply: SimulatedReply): void {
    if (response.destroyed || response.headersSent) return;
    const body = Buffer.from(reply.body, 'utf8');
    response.writeHead(200, { ...reply.headers, 'Content-Type': reply.contentType, Connection: 'close' });
    response.end(body.subarray(0, Math.floor(body.length / 2)));
  }

  private sendPage(response: ServerResponse, page: HtmlPage, headers: Record<string, string> = {}): void {
    if (response.destroyed || response.headersSent) return;
    const body = Buffer.from(page.body, 'utf8');
    response.writeHead(page.status, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
    response.end(body);
  }
}

/** Starts a simulator listening on `host:port` (port 0 picks a free one). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = new SimulatorServer(options);
  await simulator.listen();
  return simulator;
}
