/**
 * A tiny HTTP server on 127.0.0.1, port 0, that records each request (read to its end) and
 * lets the test decide the reply. Not the project's simulator: canned replies only.
 */
import { type IncomingHttpHeaders, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  form: URLSearchParams;
}

export type ReplyWith = (request: ReceivedRequest, response: ServerResponse) => void;

export interface FakeProvider {
  baseUrl: string;
  requests: ReceivedRequest[];
  /** How many TCP connections clients opened so far (keep-alive reuses them). */
  connectionCount(): number;
  /** Replaces how the next requests are answered. */
  replyWith(handler: ReplyWith): void;
  close(): Promise<void>;
}

/** Answers every request with `status` and `body`, typed as XML. */
export function xmlReply(body: string, status = 200, headers: Record<string, string> = {}): ReplyWith {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', ...headers });
    response.end(body);
  };
}

export async function startFakeProvider(handler: ReplyWith = xmlReply('<result/>')): Promise<FakeProvider> {
  const requests: ReceivedRequest[] = [];
  let current = handler;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
        form: new URLSearchParams(body),
      };
      requests.push(received);
      current(received, response);
    });
  });
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await listen(server);
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    connectionCount: () => connections,
    replyWith(next) {
      current = next;
    },
    close: () => closeServer(server),
  };
}

/** A loopback port that was just in use and is now closed: connecting to it is refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await listen(server);
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return `http://127.0.0.1:${port}`;
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
