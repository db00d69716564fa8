/**
 * Which host names and addresses stay on this machine. The dashboard listens on loopback unless
 * a token guards it, and without a token it answers only requests addressed to a loopback name
 * (a web page elsewhere cannot reach it by pointing its own DNS name at 127.0.0.1).
 */

/** `127.0.0.1`, `127.1.2.3`, `::1`, `[::1]`, `localhost`, `::ffff:127.0.0.1`; any case. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice(7) : bare;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The host name of a `Host` header value, without its port: `[::1]:8470 -> ::1`. */
export function hostHeaderName(hostHeader: string): string {
  const value = hostHeader.trim();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') === -1 ? undefined : value.indexOf(']'));
  const colon = value.lastIndexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}
