/**
 * The daemon's provider thread: the protocol's client, whose HTTP and reply parsing run here, off
 * the thread that records attempts and replies. Started by ThreadedProviderClient with the
 * client's options (ProviderClientOptions) as workerData.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DaemonError, ProviderError, ProviderPermanentError } from '../errors.js';
import { capabilitiesOf, createProviderClient } from './create-client.js';
import type { ProviderClientOptions } from './options.js';
import type { FromProviderThread, ProviderAnswer, ProviderCall, ThreadFailure, ToProviderThread } from './thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('provider-thread.js runs as a worker thread');

const client = createProviderClient(workerData as ProviderClientOptions);
const aborts = new Map<number, AbortController>();

function post(message: FromProviderThread): void {
  port?.postMessage(message);
}

function failureOf(error: unknown): ThreadFailure {
  if (error instanceof ProviderError) return { code: error.code, message: error.message, details: error.details };
  if (error instanceof DaemonError) return { code: error.code, message: error.message, details: undefined };
  return { code: undefined, message: error instanceof Error ? error.message : String(error), details: undefined };
}

function run(call: ProviderCall, signal: AbortSignal): Promise<ProviderAnswer> {
  switch (call.action) {
    case 'listServices':
      return client.listServices(signal);
    case 'placeOrder':
      return client.placeOrder(call.serviceId, call.imeis, signal);
    case 'getOrders':
      return client.getOrders(call.orderIds, signal);
    case 'lookUpOrders':
      return client.lookUpOrders ? client.lookUpOrders(call.orderIds, signal) : notOffered('looking up single orders');
    case 'accountInfo':
      return client.accountInfo ? client.accountInfo(signal) : notOffered('reading the balance');
    case 'probeBulk':
      return client.probeBulk ? client.probeBulk(signal) : notOffered('probing for bulk actions');
  }
}

function notOffered(what: string): Promise<never> {
  const protocol = capabilitiesOf(client).protocol;
  return Promise.reject(new ProviderPermanentError(`the ${protocol} protocol offers no ${what}; nothing was sent`));
}

async function answer(id: number, call: ProviderCall, aborted: boolean): Promise<void> {
  const abort = new AbortController();
  if (aborted) abort.abort();
  aborts.set(id, abort);
  try {
    const result = await run(call, abort.signal);
    post({ kind: 'answer', id, answer: result, capabilities: capabilitiesOf(client) });
  } catch (error) {
    post({ kind: 'failure', id, failure: failureOf(error), capabilities: capabilitiesOf(client) });
  } finally {
    aborts.delete(id);
  }
}

port.on('message', (message: ToProviderThread) => {
  switch (message.kind) {
    case 'call':
      void answer(message.id, message.call, message.aborted);
      return;
    case 'abort':
      aborts.get(message.id)?.abort();
      return;
    case 'close':
      void client.close().finally(() => post({ kind: 'closed' }));
      return;
  }
});
