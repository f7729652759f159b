import { createCipheriv, createDecipheriv, createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { fillRandom } from '../crypto/random-pool.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { DurableStore } from './durable-store.js';

/** The fields of durable records that hold a credential: sealed at rest. */
const SEALED_FIELDS = ['refreshToken', 'ticket'] as const;

/** Marks a sealed value: `sealed:v1:{key id}:{base64url(iv ‖ tag ‖ ciphertext)}`. */
const PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/**
 * Records whose sealed values this process sealed or opened last, kept to skip the decryption when
 * the store hands the same sealed value back (a refresh reads the record it wrote at the last
 * one) and the seal when an unchanged value is written back. Bounded: the oldest is dropped first.
 */
const OPENED_MAX = 1024;

/** The store behind each sealed view, for {@link storedView}. */
const behind = new WeakMap<DurableStore, DurableStore>();

/**
 * The store as it holds its values: behind a {@link SealedDurableStore}, the store it wraps (sealed
 * values stay sealed); any other store itself. A backup or a copy reads this, so it never writes
 * credentials in clear that were sealed at rest.
 */
export function storedView(store: DurableStore): DurableStore {
  const inner = behind.get(store);
  return inner === undefined ? store : storedView(inner);
}

/** Written once under the current key, read at boot: a wrong key fails the boot, not a later read. */
export const SEAL_CHECK_KEY = 'nest-open-platform:seal-check';
const SEAL_CHECK_VALUE = 'nest-open-platform';

/** What is wrong with a `storage.encryptionKey` value (never echoing it); undefined if fine. */
export function encryptionKeyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'must be a string (32 random bytes, base64)';
  if (!/^[A-Za-z0-9+/]{43}=$/.test(key)) return 'must be 32 bytes in base64 (44 characters ending in =)';
  return undefined;
}

interface Known {
  sealed: string;
  plain: string;
}

interface Key {
  id: string;
  /** A KeyObject: Node validates and copies a Buffer key at every cipher it makes. */
  secret: KeyObject;
}

function keyOf(base64: string): Key {
  const secret = Buffer.from(base64, 'base64');
  // An id that names the key without revealing it: the first 8 bytes of its SHA-256.
  return { id: createHash('sha256').update(secret).digest('hex').slice(0, 16), secret: createSecretKey(secret) };
}

/**
 * A {@link DurableStore} that seals the credentials of every record it writes (`refreshToken` of
 * authorizer records, `ticket` of ticket records) with AES-256-GCM under `storage.encryptionKey`,
 * and unseals them on read. Each sealed value names its key (rotation: older keys in
 * `storage.previousEncryptionKeys` still open what they sealed, and the next write seals under the
 * current one) and is authenticated with its store key and field, so a value copied into another
 * record does not open. Values written before sealing was turned on are read as they are and
 * sealed at their next write. Node's `crypto` does the work; the envelope is ours because Keyv
 * stores have no per-field encryption.
 */
export class SealedDurableStore extends DurableStore {
  private readonly current: Key;
  /** What every value sealed under the current key starts with. */
  private readonly currentPrefix: string;
  private readonly keyring: Map<string, Key>;
  /** Per record key, per field: the sealed value last seen there and what it opens to. */
  private readonly opened = new Map<string, Partial<Record<string, Known>>>();

  constructor(
    private readonly inner: DurableStore,
    encryptionKey: string,
    previousEncryptionKeys: readonly string[] = [],
  ) {
    super();
    behind.set(this, inner);
    this.current = keyOf(encryptionKey);
    this.currentPrefix = `${PREFIX}${this.current.id}:`;
    this.keyring = new Map([this.current, ...previousEncryptionKeys.map(keyOf)].map((k) => [k.id, k]));
  }

  /**
   * Opens the store's seal check, or writes it under the current key when the store has none:
   * throws `SEALED_VALUE_UNREADABLE` when the store was sealed under a key this process does not
   * have. The check keeps naming the oldest key still in use until {@link reseal} has run, so
   * dropping a previous key too early fails the boot, not a merchant's refresh.
   */
  async verify(): Promise<void> {
    const check = await this.get<{ check?: unknown }>(SEAL_CHECK_KEY);
    if (check === undefined) await this.set(SEAL_CHECK_KEY, { check: SEAL_CHECK_VALUE });
    else if (check.check !== SEAL_CHECK_VALUE)
      throw unreadable(SEAL_CHECK_KEY, 'the seal check holds an unexpected value');
  }

  /**
   * Rewrites every record whose credentials are unsealed or sealed under a previous key, so they
   * are all under the current one, then the seal check: afterwards previous keys may be dropped.
   * Run it with the app stopped or idle (each record is read and written back). Returns how many
   * records were rewritten.
   */
  async reseal(): Promise<number> {
    let rewritten = 0;
    for (const key of await this.inner.keys('')) {
      const raw = await this.inner.get<Record<string, unknown>>(key);
      if (!isRecord(raw)) continue;
      const stale = fieldsOf(key).some((f) => typeof raw[f] === 'string' && !raw[f].startsWith(this.currentPrefix));
      if (!stale) continue;
      await this.set(key, raw);
      rewritten++;
    }
    return rewritten;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const value = await this.inner.get<T>(key);
    return isRecord(value) ? (this.openFields(key, value) as T) : value;
  }

  private openFields(key: string, value: Record<string, unknown>): Record<string, unknown> {
    let opened: Record<string, unknown> | undefined;
    for (const field of fieldsOf(key)) {
      const sealed = value[field];
      if (typeof sealed !== 'string' || !sealed.startsWith(PREFIX)) continue;
      (opened ??= { ...value })[field] = this.open(key, field, sealed);
    }
    return opened ?? value;
  }

  async set<T>(key: string, value: T): Promise<void> {
    if (!isRecord(value)) return this.inner.set(key, value);
    // A value sealed under a previous key (handed back by a caller as read) is opened first.
    const plain = this.openFields(key, value);
    let sealed: Record<string, unknown> | undefined;
    for (const field of fieldsOf(key)) {
      const text = plain[field];
      if (typeof text !== 'string') continue;
      (sealed ??= { ...plain })[field] = this.sealOrReuse(key, field, text);
    }
    return this.inner.set(key, sealed ?? plain);
  }

  delete(key: string): Promise<void> {
    this.opened.delete(key);
    return this.inner.delete(key);
  }

  keys(prefix: string): Promise<string[]> {
    return this.inner.keys(prefix);
  }

  /**
   * The sealed value last seen at this record field when it holds the same plaintext under the
   * current key, else a fresh seal. Most writes of a record leave its credential as it was (a
   * Douyin refresh marks its attempt in the record before presenting the token; status changes,
   * history): they write back the string this and every other process has already opened, so no
   * seal here and no decryption at the next read anywhere. The same ciphertext for the same
   * plaintext reuses no nonce with another message; it shows only that the value did not change.
   */
  private sealOrReuse(key: string, field: string, plain: string): string {
    const known = this.opened.get(key)?.[field];
    if (known?.plain === plain && known.sealed.startsWith(this.currentPrefix)) {
      this.remember(key, field, known.sealed, plain);
      return known.sealed;
    }
    return this.seal(key, field, plain);
  }

  private seal(key: string, field: string, plain: string): string {
    // One buffer laid out as stored (iv ‖ tag ‖ ciphertext), filled in place.
    const out = Buffer.allocUnsafe(IV_BYTES + TAG_BYTES + Buffer.byteLength(plain, 'utf8'));
    const iv = out.subarray(0, IV_BYTES);
    // A fresh nonce from the CSPRNG pool: a synchronous randomBytes per value costs several µs.
    fillRandom(out, 0, IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.secret, iv);
    cipher.setAAD(aad(key, field));
    out.set(cipher.update(plain, 'utf8'), IV_BYTES + TAG_BYTES);
    cipher.final(); // GCM is a stream mode: final() only computes the tag.
    out.set(cipher.getAuthTag(), IV_BYTES);
    const sealed = `${this.currentPrefix}${out.toString('base64url')}`;
    this.remember(key, field, sealed, plain);
    return sealed;
  }

  /**
   * The plaintext of a sealed value. The same sealed string at the same record field always opens
   * to the same plaintext (any other string, a swapped or altered one included, is decrypted and
   * authenticated), so the last one seen there is answered from memory.
   */
  private open(key: string, field: string, sealed: string): string {
    const known = this.opened.get(key)?.[field];
    if (known?.sealed === sealed) return known.plain;
    const plain = this.decrypt(key, field, sealed);
    this.remember(key, field, sealed, plain);
    return plain;
  }

  private remember(key: string, field: string, sealed: string, plain: string): void {
    let fields = this.opened.get(key);
    if (fields !== undefined)
      this.opened.delete(key); // kept newest: re-inserted below
    else if (this.opened.size >= OPENED_MAX) this.opened.delete(this.opened.keys().next().value!);
    fields ??= {};
    this.opened.set(key, fields);
    fields[field] = { sealed, plain };
  }

  private decrypt(key: string, field: string, sealed: string): string {
    let k: Key | undefined = this.current;
    let body: string;
    if (sealed.startsWith(this.currentPrefix)) body = sealed.slice(this.currentPrefix.length);
    else {
      const rest = sealed.slice(PREFIX.length);
      const colon = rest.indexOf(':');
      k = colon < 0 ? undefined : this.keyring.get(rest.slice(0, colon));
      if (!k)
        throw unreadable(
          key,
          `${field} was sealed under key id ${colon < 0 ? '?' : rest.slice(0, colon)}, which is neither storage.encryptionKey nor one of storage.previousEncryptionKeys`,
        );
      body = rest.slice(colon + 1);
    }
    const raw = Buffer.from(body, 'base64url');
    try {
      // authTagLength: Node would otherwise accept a tag cut short (down to 4 bytes) by a forger.
      const decipher = createDecipheriv('aes-256-gcm', k.secret, raw.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(aad(key, field));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plain = decipher.update(raw.subarray(IV_BYTES + TAG_BYTES), undefined, 'utf8');
      decipher.final(); // throws unless the tag authenticates the value, its record and field
      return plain;
    } catch {
      throw unreadable(key, `${field} does not open: altered, or copied from another record`);
    }
  }
}

function fieldsOf(key: string): readonly string[] {
  return key === SEAL_CHECK_KEY ? ['check'] : SEALED_FIELDS;
}

function aad(key: string, field: string): Buffer {
  return Buffer.from(`${key}\n${field}`, 'utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unreadable(key: string, why: string): OpenPlatformError {
  return new OpenPlatformError({
    platform: 'library',
    code: OpenPlatformErrorCode.SEALED_VALUE_UNREADABLE,
    message: `the durable record ${key} cannot be read: ${why}. Nothing was treated as empty; check storage.encryptionKey`,
  });
}
