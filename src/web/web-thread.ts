/**
 * The dashboard's thread (started by WebHost): serves the pages and API, reads the store through
 * its own read-only connection, and hears of the daemon only through messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Dashboard } from './dashboard.js';
import type { FromWebThread, ToWebThread, WebThreadOptions } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('web-thread.js runs as a worker thread of the daemon');

function send(message: FromWebThread): void {
  port?.postMessage(message);
}

let nextRequest = 0;
const pendingMetrics = new Map<number, (text: string) => void>();

const dashboard = new Dashboard(workerData as WebThreadOptions, {
  log: (level, message, details = {}) => send({ kind: 'log', level, message, details }),
  mainMetrics: () =>
    new Promise((resolve) => {
      const requestId = ++nextRequest;
      pendingMetrics.set(requestId, resolve);
      // The main thread answers at once; a busy one must not hold a scrape for ever.
      setTimeout(() => {
        if (pendingMetrics.delete(requestId)) resolve('');
      }, 2000).unref();
      send({ kind: 'metrics-request', requestId });
    }),
});

port.on('message', (message: ToWebThread) => {
  switch (message.kind) {
    case 'events':
      dashboard.onEvents(message.events);
      return;
    case 'health':
      dashboard.setHealth(message.health);
      return;
    case 'metrics': {
      const resolve = pendingMetrics.get(message.requestId);
      pendingMetrics.delete(message.requestId);
      resolve?.(message.text);
      return;
    }
    case 'close':
      void dashboard.close().finally(() => {
        send({ kind: 'closed' });
        port.close();
      });
      return;
  }
});

dashboard.listen().then(
  (url) => send({ kind: 'listening', url }),
  (error: NodeJS.ErrnoException) => send({ kind: 'listen-failed', code: error.code ?? 'ERROR', message: error.message }),
);
