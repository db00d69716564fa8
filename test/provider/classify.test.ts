import { describe, expect, it } from 'vitest';
import {
  ProviderAuthError,
  ProviderPermanentError,
  ProviderSafeError,
  ProviderUnknownOutcomeError,
} from '../../src/errors.js';
import { type CallFailure, classifyFailure, parseRetryAfter } from '../../src/provider/classify.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const placeorder = { action: 'placeorder', now: NOW } as const;

function codeError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyFailure: network errors', () => {
  it.each([
    ['ECONNREFUSED'],
    ['ENOTFOUND'],
    ['EAI_AGAIN'],
    ['EHOSTUNREACH'],
    ['UND_ERR_CONNECT_TIMEOUT'],
    ['ERR_SSL_WRONG_VERSION_NUMBER'],
    ['ERR_TLS_CERT_ALTNAME_INVALID'],
    ['CERT_HAS_EXPIRED'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT'],
  ])('%s is safe: the request cannot have left', (code) => {
    const error = classifyFailure({ kind: 'network', error: codeError(code) }, placeorder);
    expect(error).toBeInstanceOf(ProviderSafeError);
    expect(error.failureClass).toBe('safe');
    expect(error.message).toContain(code);
    expect(error.message).toContain('no order was placed');
  });

  it.each([
    ['ECONNRESET'],
    ['EPIPE'],
    ['UND_ERR_SOCKET'],
    ['UND_ERR_HEADERS_TIMEOUT'],
    ['UND_ERR_BODY_TIMEOUT'],
    ['SOMETHING_NEW'],
  ])('%s is unknown: orders may have been placed', (code) => {
    const error = classifyFailure({ kind: 'network', error: codeError(code) }, placeorder);
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.message).toContain('orders may have been placed');
  });

  it('"other side closed" without a code is unknown', () => {
    const error = classifyFailure({ kind: 'network', error: new Error('other side closed') }, placeorder);
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.message).toContain('closed the connection');
  });

  it('finds the code in a cause or in an AggregateError', () => {
    const wrapped = new Error('fetch failed', { cause: codeError('ENOTFOUND') });
    const aggregate = new AggregateError([codeError('ECONNREFUSED'), codeError('ECONNREFUSED')], 'connect failed');
    expect(classifyFailure({ kind: 'network', error: wrapped }, placeorder)).toBeInstanceOf(ProviderSafeError);
    expect(classifyFailure({ kind: 'network', error: aggregate }, placeorder)).toBeInstanceOf(ProviderSafeError);
  });

  it('what is known about the request decides over the error code', () => {
    const notSent = classifyFailure({ kind: 'network', error: codeError('ECONNRESET'), requestSent: false }, placeorder);
    const sent = classifyFailure({ kind: 'network', error: codeError('ECONNREFUSED'), requestSent: true }, placeorder);
    expect(notSent).toBeInstanceOf(ProviderSafeError);
    expect(sent).toBeInstanceOf(ProviderUnknownOutcomeError);
  });

  it('keeps the original error as the cause', () => {
    const original = codeError('ECONNRESET');
    expect(classifyFailure({ kind: 'network', error: original }, placeorder).cause).toBe(original);
  });
});

describe('classifyFailure: timeouts and aborts', () => {
  it('a timeout after the request was sent is unknown, in plain words', () => {
    const error = classifyFailure({ kind: 'timeout', timeoutMs: 30000, requestSent: true }, placeorder);
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.message).toBe('provider timed out after 30000 ms during placeorder; orders may have been placed');
  });

  it('a timeout before the request was sent is safe', () => {
    const error = classifyFailure({ kind: 'timeout', timeoutMs: 500, requestSent: false }, placeorder);
    expect(error).toBeInstanceOf(ProviderSafeError);
  });

  it('a caller abort says so and keeps the reason as the cause', () => {
    const reason = new Error('shutdown');
    const sent = classifyFailure({ kind: 'caller-abort', requestSent: true, reason }, placeorder);
    const notSent = classifyFailure({ kind: 'caller-abort', requestSent: false, reason }, placeorder);
    expect(sent).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(sent.message).toContain('aborted by the caller');
    expect(sent.cause).toBe(reason);
    expect(notSent).toBeInstanceOf(ProviderSafeError);
  });

  it('words read-only calls without talk of orders', () => {
    const error = classifyFailure({ kind: 'timeout', timeoutMs: 1000, requestSent: true }, { action: 'getimeis' });
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.message).not.toContain('orders may have been placed');
  });
});

describe('classifyFailure: HTTP statuses', () => {
  it('429 is safe, rate limited, with Retry-After in seconds', () => {
    const error = classifyFailure({ kind: 'http-status', status: 429, retryAfter: '30' }, placeorder);
    expect(error).toBeInstanceOf(ProviderSafeError);
    expect(error.details).toEqual({ httpStatus: 429, retryAfterSeconds: 30, rateLimited: true });
    expect(error.message).toContain('HTTP 429');
  });

  it('429 with an HTTP-date Retry-After', () => {
    const retryAfter = new Date(NOW.getTime() + 90_500).toUTCString();
    const error = classifyFailure({ kind: 'http-status', status: 429, retryAfter }, placeorder);
    expect(error.details.retryAfterSeconds).toBe(90);
  });

  it('429 without Retry-After', () => {
    const error = classifyFailure({ kind: 'http-status', status: 429 }, placeorder);
    expect(error.details).toEqual({ httpStatus: 429, rateLimited: true });
  });

  it('503 is safe and not rate limited', () => {
    const error = classifyFailure({ kind: 'http-status', status: 503, retryAfter: '5' }, placeorder);
    expect(error).toBeInstanceOf(ProviderSafeError);
    expect(error.details).toEqual({ httpStatus: 503, retryAfterSeconds: 5 });
  });

  it.each([500, 502, 504, 520, 524])('%i is unknown', (status) => {
    const error = classifyFailure({ kind: 'http-status', status }, placeorder);
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.details.httpStatus).toBe(status);
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it.each([400, 401, 403, 404, 405, 413, 301, 302])('%i is permanent', (status) => {
    const error = classifyFailure({ kind: 'http-status', status }, placeorder);
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error.message).toContain(`HTTP ${status}`);
  });
});

describe('classifyFailure: replies', () => {
  it('a 200 reply that cannot be read is unknown', () => {
    const error = classifyFailure({ kind: 'bad-reply', status: 200, problem: 'reply is cut short' }, placeorder);
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.message).toContain('HTTP 200');
    expect(error.message).toContain('cut short');
  });

  it.each(['Invalid User!', 'Invalid API Key!', ' invalid api key '])('%j is an auth error', (message) => {
    const error = classifyFailure({ kind: 'provider-error', status: 200, message }, placeorder);
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.failureClass).toBe('permanent');
    expect(error.code).toBe('IMEI_ERR_PROVIDER_AUTH');
  });

  it('any other provider error is permanent and quotes the provider', () => {
    const error = classifyFailure({ kind: 'provider-error', status: 200, message: 'Invalid Network ID!' }, placeorder);
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error).not.toBeInstanceOf(ProviderAuthError);
    expect(error.message).toContain('Invalid Network ID!');
  });

  it('removes secrets and bounds the length of provider text', () => {
    const failure: CallFailure = { kind: 'provider-error', status: 200, message: `Bad key ABCD-1234 ${'x'.repeat(500)}` };
    const error = classifyFailure(failure, { action: 'placeorder', secrets: ['ABCD-1234'] });
    expect(error.message).not.toContain('ABCD-1234');
    expect(error.message).toContain('[redacted]');
    expect(error.message.length).toBeLessThan(300);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    [undefined, undefined],
    ['0', 0],
    [' 120 ', 120],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    [new Date(NOW.getTime() + 10_000).toUTCString(), 10],
    [new Date(NOW.getTime() - 10_000).toUTCString(), 0],
  ])('reads %j as %j', (value, seconds) => {
    expect(parseRetryAfter(value, NOW)).toBe(seconds);
  });
});
