/**
 * One urlencoded POST over an undici dispatcher, with a limit on the whole call and the
 * caller's signal. It reports whether the request had started going out when things failed,
 * because that decides whether a failed `placeorder` may have placed orders. The reply body is
 * always read to its end or the socket destroyed, so no pooled connection is left dangling.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { CallFailure } from './classify.js';

export interface FormPostRequest {
  /** Path on the dispatcher's origin, e.g. `/gsmfusion_api/index.php`. */
  path: string;
  /** Form fields, sent urlencoded in the body (never in the URL). */
  form: Readonly<Record<string, string>>;
  /** Limit on the whole call: waiting for a connection, sending, headers and body. */
  timeoutMs: number;
  /** The caller's signal (shutdown). */
  signal?: AbortSignal | undefined;
  /** Largest body accepted; a larger one counts as a reply we cannot read. */
  maxReplyBytes: number;
  /**
   * The `Accept` header. Default XML first (GSM Fusion). DHRU asks for JSON: Laravel-built
   * panels choose between a JSON and an HTML error page by it.
   */
  accept?: string;
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export type PostOutcome = { ok: true; reply: HttpReply } | { ok: false; failure: CallFailure };

/** Why we stopped a call ourselves; handed to undici as the abort reason. */
class CallStopped extends Error {
  constructor(readonly why: 'timeout' | 'caller-abort' | 'too-large') {
    super(`provider call stopped: ${why}`);
    this.name = 'CallStopped';
  }
}

/** Sends the form and collects the reply. Never rejects: failures come back as `CallFailure`. */
export function postForm(dispatcher: Dispatcher, request: FormPostRequest): Promise<PostOutcome> {
  return new Promise<PostOutcome>((resolve) => {
    const call = new CollectingHandler(request, resolve);
    const { signal } = request;
    if (signal?.aborted === true) {
      call.stop(new CallStopped('caller-abort'));
      return;
    }
    const timer = setTimeout(() => call.stop(new CallStopped('timeout')), request.timeoutMs);
    const onCallerAbort = (): void => call.stop(new CallStopped('caller-abort'));
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    call.onSettled = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    };

    dispatcher.dispatch(
      {
        method: 'POST',
        path: request.path,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: request.accept ?? 'application/xml, text/xml, */*',
        },
        body: new URLSearchParams(request.form).toString(),
      },
      call,
    );
  });
}

class CollectingHandler implements Dispatcher.DispatchHandler {
  onSettled: () => void = () => undefined;
  private controller: Dispatcher.DispatchController | undefined;
  private pendingStop: CallStopped | undefined;
  private requestSent = false;
  private settled = false;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly request: FormPostRequest,
    private readonly resolve: (outcome: PostOutcome) => void,
  ) {}

  /** Stops the call now; undici aborts it (before writing, if it has not started yet). */
  stop(reason: CallStopped): void {
    if (this.settled) return;
    this.finish({ ok: false, failure: this.failureFor(reason) });
    if (this.controller === undefined) this.pendingStop = reason;
    else this.controller.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Called on a connected socket right before the request is written.
    if (this.pendingStop !== undefined) {
      controller.abort(this.pendingStop);
      return;
    }
    this.controller = controller;
    this.requestSent = true;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size > this.request.maxReplyBytes) {
      // A huge error page still tells its status; only a 2xx body must be read whole.
      const isSuccess = this.status >= 200 && this.status < 300;
      this.finish(
        isSuccess
          ? { ok: false, failure: this.failureFor(new CallStopped('too-large')) }
          : { ok: true, reply: { status: this.status, headers: this.headers, body: '' } },
      );
      controller.abort(new CallStopped('too-large'));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const body = Buffer.concat(this.chunks).toString('utf8');
    this.finish({ ok: true, reply: { status: this.status, headers: this.headers, body } });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (error instanceof CallStopped) return; // already settled by stop()
    this.finish({ ok: false, failure: { kind: 'network', error, requestSent: this.requestSent } });
  }

  private failureFor(reason: CallStopped): CallFailure {
    switch (reason.why) {
      case 'timeout':
        return { kind: 'timeout', timeoutMs: this.request.timeoutMs, requestSent: this.requestSent };
      case 'caller-abort':
        return { kind: 'caller-abort', requestSent: this.requestSent, reason: this.request.signal?.reason };
      case 'too-large':
        return {
          kind: 'bad-reply',
          status: this.status,
          problem: `reply larger than ${this.request.maxReplyBytes} bytes`,
        };
    }
  }

  private finish(outcome: PostOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.chunks.length = 0;
    this.onSettled();
    this.resolve(outcome);
  }
}
