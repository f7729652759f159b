import { SEAL_CHECK_KEY } from './sealed-durable-store.js';

/**
 * The durable kinds of key, as the module writes them (StoreKeys, the admin history): a ticket, an
 * authorizer record (with its refresh token), an authorizer's history, and the seal check. In
 * Redis the same prefix also holds tokens, locks, handled pushes and the renewal index — cache
 * data, rebuilt by the module, never exported or migrated.
 */
const DURABLE = /^(wechat|douyin):([^:\s]{1,128}):(ticket|authorizer:[^:\s]{1,128}|authorizer-history:[^:\s]{1,128})$/;

/** What a durable key holds, or undefined when the key is not durable data. */
export type DurableKind = 'ticket' | 'authorizer' | 'authorizer-history' | 'seal-check';

export function durableKind(key: string): DurableKind | undefined {
  if (key === SEAL_CHECK_KEY) return 'seal-check';
  const m = DURABLE.exec(key);
  if (!m) return undefined;
  if (m[3] === 'ticket') return 'ticket';
  return m[3].startsWith('authorizer-history:') ? 'authorizer-history' : 'authorizer';
}

/** The durable keys among `keys`, sorted (exports and counts are then stable). */
export function durableKeys(keys: readonly string[]): string[] {
  return keys.filter((k) => durableKind(k) !== undefined).sort();
}
