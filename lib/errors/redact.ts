/** What replaces a secret in text the module keeps or reports. */
export const REDACTED = '[REDACTED]';

/** `text` with every occurrence of each non-empty secret replaced by `[REDACTED]`. */
export function redactText(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join(REDACTED), text);
}

/**
 * The credentials a platform call carried: the token it sent and every string value of its query
 * and body except appids (secrets, tickets, codes, refresh tokens). A platform's error message may
 * quote what it was sent; these are removed from it before it reaches an error or a log line.
 */
export function sentCredentials(token: string | undefined, ...fields: Array<object | undefined>): string[] {
  const values = fields.flatMap((f) =>
    Object.entries(f ?? {})
      .filter(([key, value]) => typeof value === 'string' && !/appid$/i.test(key))
      .map(([, value]) => value as string),
  );
  return token === undefined ? values : [token, ...values];
}
