import { redactText } from '../errors/redact.js';

/**
 * A copy of a response body with every secret replaced by `[REDACTED]`, or undefined when the body
 * cannot be made safe to keep: a stream (it references the socket and the request, and so the URL
 * with its token) or an object that is not plain data.
 */
export function redactBody(data: unknown, secrets: readonly string[]): unknown {
  const found = secrets.filter((s) => s.length > 0);
  const scrub = (text: string) => redactText(text, found);
  if (data === null || data === undefined || typeof data === 'number' || typeof data === 'boolean') return data;
  if (typeof data === 'string') return scrub(data);
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    const bytes = Buffer.from(
      data instanceof ArrayBuffer ? data : data.buffer,
      data instanceof ArrayBuffer ? 0 : data.byteOffset,
      data.byteLength,
    );
    return found.some((s) => bytes.includes(s)) ? Buffer.from(scrub(bytes.toString('utf8'))) : Buffer.from(bytes);
  }
  if (!isPlainData(data)) return undefined;
  let json: string;
  try {
    json = JSON.stringify(data);
  } catch {
    return undefined;
  }
  // A JSON copy: the caller gets data, never a live object shared with axios.
  return json === undefined ? undefined : (JSON.parse(scrub(json)) as unknown);
}

function isPlainData(value: unknown): boolean {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
