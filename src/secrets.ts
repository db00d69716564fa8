/**
 * The one way a secret (API key, SMTP password) is taken out of text before it is logged,
 * mailed or put in an error message. Longest first, so a secret that contains another is
 * blanked whole.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  const ordered = secrets.filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
  for (const secret of ordered) result = result.split(secret).join('[redacted]');
  return result;
}
