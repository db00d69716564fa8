/**
 * Server-sent events (`GET /api/events`): the open connections and what is written to them. A
 * message is one `data:` line of JSON; file progress goes as plain messages (what
 * `EventSource.onmessage` receives), the Now page's other figures as `event: status`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface LiveClientsOptions {
  /** Connections served at once; more are refused with 503. Default 200. */
  maxClients?: number;
  /** A comment line this often keeps proxies from closing an idle stream. Default 15 s. */
  heartbeatMs?: number;
}

/** One SSE message; `event` absent: a plain message. */
export function sseMessage(data: unknown, event?: string): string {
  const head = event === undefined ? '' : `event: ${event}\n`;
  // JSON.stringify never yields a raw newline, so the data stays on its one line.
  return `${head}data: ${JSON.stringify(data)}\n\n`;
}

const MAX_BUFFERED_BYTES = 1_000_000;

export class LiveClients {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxClients: number;
  /** Told when the first client arrives (the feed starts reading) and when one leaves. */
  onChange: () => void = () => undefined;

  constructor(options: LiveClientsOptions = {}) {
    this.maxClients = options.maxClients ?? 200;
    this.heartbeat = setInterval(() => this.broadcast(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Starts a stream with `initial` messages; false when too many are open already. */
  open(request: IncomingMessage, response: ServerResponse, initial: readonly string[]): boolean {
    if (this.clients.size >= this.maxClients) return false;
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // A reconnecting browser waits this long; the default (3 s) is longer than a change takes to show.
    response.write('retry: 1000\n\n');
    for (const message of initial) response.write(message);
    this.clients.add(response);
    const drop = (): void => {
      if (this.clients.delete(response)) this.onChange();
    };
    request.on('close', drop);
    response.on('error', drop);
    this.onChange();
    return true;
  }

  broadcast(message: string): void {
    for (const client of this.clients) {
      // A page that stopped reading (a laptop asleep) is let go rather than buffered without end.
      if (client.writableLength > MAX_BUFFERED_BYTES) client.destroy();
      else client.write(message);
    }
  }

  closeAll(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }
}
