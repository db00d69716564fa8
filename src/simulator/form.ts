/** Reads the form fields of a POST: urlencoded (what the daemon sends) or multipart (the PHP sample). */
import type { IncomingMessage } from 'node:http';
import type { CallFields } from './actions.js';

/** Far above 100 IMEIs per call; a bigger body is refused rather than buffered. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body over ${MAX_BODY_BYTES} bytes`);
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    // Keep draining so the client can finish sending and read our 413.
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(buffer);
  }
  if (tooLarge) throw new BodyTooLargeError();
  return Buffer.concat(chunks);
}

function firstValues(entries: Iterable<[string, string]>): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [name, value] of entries) if (!fields.has(name)) fields.set(name, value);
  return fields;
}

/** Parses the body by its content type; a body that does not parse yields no fields. */
export async function readFormFields(request: IncomingMessage): Promise<CallFields> {
  const body = await readBody(request);
  const contentType = request.headers['content-type'] ?? '';
  if (/^multipart\/form-data/i.test(contentType)) {
    try {
      const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
      const strings: [string, string][] = [];
      form.forEach((value, name) => {
        if (typeof value === 'string') strings.push([name, value]);
      });
      return firstValues(strings);
    } catch {
      return new Map();
    }
  }
  return firstValues(new URLSearchParams(body.toString('utf8')));
}
