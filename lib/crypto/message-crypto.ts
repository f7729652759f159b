/**
 * Message encryption for WeChat Open Platform and Douyin third-party platform pushes.
 * Hand-written on Node's `crypto` because no maintained npm library implements
 * this scheme: AES-256-CBC with a 32-byte PKCS#7 block, a length-prefixed body and a trailing
 * appid, with a 16-byte (WeChat) or 32-byte (Douyin) random prefix.
 */
import { createCipheriv, createDecipheriv, createSecretKey, hash, timingSafeEqual, type KeyObject } from 'node:crypto';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { fillRandom } from './random-pool.js';
import { isPlatformName, PLATFORM_NAMES, type PlatformName } from '../platform-names.js';

export type CryptoPlatform = PlatformName;

export interface MessageCryptoOptions {
  platform: CryptoPlatform;
  token: string;
  /** 43 characters of the base64 alphabet. */
  encodingAesKey: string;
  /** The component appid expected as trailing appid. */
  appId: string;
  /** Key rotation: decrypt tries the current key, then this one. */
  previousEncodingAesKey?: string;
}

/** PKCS#7 here pads to 32 bytes, not to the AES block size of 16. */
const PAD_BLOCK = 32;
const PREFIX_LENGTH: Record<CryptoPlatform, number> = { wechat: 16, douyin: 32 };
const KEY_PATTERN = /^[A-Za-z0-9+/]{43}$/;

/**
 * Signs, verifies, encrypts and decrypts platform messages for one component (or one
 * authorizer message URL). Every failure is an {@link OpenPlatformError}; messages never
 * contain the key, the token or the plaintext.
 */
export class MessageCrypto {
  private readonly platform: CryptoPlatform;
  private readonly token: string;
  private readonly appId: Buffer;
  /**
   * Each key with its IV (the key's first 16 bytes), made once rather than per message; the key as
   * a KeyObject, since a Buffer key is validated and copied into a new key at every cipher.
   */
  private readonly keys: Array<{ key: KeyObject; iv: Buffer }>;

  constructor(options: MessageCryptoOptions) {
    const { platform, token, appId, encodingAesKey, previousEncodingAesKey } = (options ??
      {}) as Partial<MessageCryptoOptions>;
    if (!isPlatformName(platform)) invalid(`platform must be one of: ${PLATFORM_NAMES.join(', ')}`);
    if (typeof token !== 'string' || token === '') invalid('token must be a non-empty string');
    if (typeof appId !== 'string' || appId === '') invalid('appId must be a non-empty string');
    this.platform = platform;
    this.token = token;
    this.appId = Buffer.from(appId, 'utf8');
    this.keys = [withIv(parseKey(encodingAesKey, 'encodingAesKey'))];
    if (previousEncodingAesKey !== undefined) {
      this.keys.push(withIv(parseKey(previousEncodingAesKey, 'previousEncodingAesKey')));
    }
  }

  /** Lowercase hex SHA-1 of the sorted concatenation of `[token, timestamp, nonce, encrypt]`. */
  signature(timestamp: string, nonce: string, encrypt: string): string {
    // One-shot hash (no Hash object) over a sorting network (Array#sort costs more than the hash).
    return hash('sha1', sortedConcat(this.token, timestamp, nonce, encrypt), 'hex');
  }

  /** Constant-time check of a `msg_signature`; returns `false` (never throws) on any bad input. */
  verifySignature(signature: string, timestamp: string, nonce: string, encrypt: string): boolean {
    if (
      typeof signature !== 'string' ||
      typeof timestamp !== 'string' ||
      typeof nonce !== 'string' ||
      typeof encrypt !== 'string'
    ) {
      return false;
    }
    const given = Buffer.from(signature, 'utf8');
    const expected = Buffer.from(this.signature(timestamp, nonce, encrypt), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Like {@link verifySignature}, but throws `SIGNATURE_MISMATCH` instead of returning `false`. */
  assertSignature(signature: string | undefined, timestamp: string, nonce: string, encrypt: string): void {
    if (!this.verifySignature(signature as string, timestamp, nonce, encrypt)) {
      throw this.fail(OpenPlatformErrorCode.SIGNATURE_MISMATCH, 'message signature does not match');
    }
  }

  /**
   * Decrypts an `Encrypt` field and returns the message. Tries the current key, then the
   * previous one; if both fail, throws the current key's error (`BAD_BASE64`, `BAD_PADDING`,
   * `BAD_LENGTH` or `APPID_MISMATCH`).
   */
  decrypt(encrypt: string): string {
    if (typeof encrypt !== 'string') {
      throw this.fail(OpenPlatformErrorCode.BAD_BASE64, 'encrypted message is not valid base64');
    }
    const ciphertext = decodeBase64(encrypt);
    if (ciphertext === undefined) {
      throw this.fail(OpenPlatformErrorCode.BAD_BASE64, 'encrypted message is not valid base64');
    }
    let firstError: unknown;
    for (const key of this.keys) {
      try {
        return this.decryptWith(key, ciphertext);
      } catch (error) {
        firstError ??= error;
      }
    }
    throw firstError;
  }

  /**
   * Encrypts a message with the current key and returns base64. `random` is the prefix
   * (16 bytes on WeChat, 32 on Douyin); it defaults to fresh random bytes and is only
   * passed in for deterministic tests.
   */
  encrypt(message: string, random?: Buffer): string {
    const prefixLength = PREFIX_LENGTH[this.platform];
    if (random !== undefined && (!Buffer.isBuffer(random) || random.length !== prefixLength)) {
      invalid(`random must be a Buffer of ${prefixLength} bytes on ${this.platform}`);
    }
    if (typeof message !== 'string') invalid('message must be a string');
    const body = Buffer.from(message, 'utf8');
    // random(prefix) | length (4, big-endian) | message | appid | PKCS#7 padding to 32 bytes,
    // written into one buffer (no intermediate Buffers to concatenate).
    const unpadded = prefixLength + 4 + body.length + this.appId.length;
    const pad = PAD_BLOCK - (unpadded % PAD_BLOCK);
    const plain = Buffer.allocUnsafe(unpadded + pad);
    if (random) random.copy(plain, 0);
    else fillRandom(plain, 0, prefixLength);
    plain.writeUInt32BE(body.length, prefixLength);
    body.copy(plain, prefixLength + 4);
    this.appId.copy(plain, prefixLength + 4 + body.length);
    plain.fill(pad, unpadded);
    const { key, iv } = this.keys[0];
    const cipher = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
    const head = cipher.update(plain);
    // Block-aligned without auto padding: update() returned every block and final() returns none.
    const tail = cipher.final();
    return (tail.length === 0 ? head : Buffer.concat([head, tail])).toString('base64');
  }

  private decryptWith({ key, iv }: { key: KeyObject; iv: Buffer }, ciphertext: Buffer): string {
    if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
      throw this.fail(OpenPlatformErrorCode.BAD_PADDING, 'ciphertext length is not a non-zero multiple of 16');
    }
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
      // Without auto padding OpenSSL holds nothing back: update() returns every block of the
      // block-aligned input, and final() would only return an empty buffer, so it is skipped.
      plain = decipher.update(ciphertext);
    } catch (cause) {
      throw this.fail(OpenPlatformErrorCode.BAD_PADDING, 'ciphertext could not be decrypted', cause);
    }

    // Guards the skipped final(): every ciphertext byte must have come back.
    if (plain.length !== ciphertext.length) {
      throw this.fail(OpenPlatformErrorCode.BAD_PADDING, 'ciphertext could not be decrypted');
    }
    const pad = plain[plain.length - 1];
    if (pad < 1 || pad > PAD_BLOCK || pad > plain.length) {
      throw this.fail(OpenPlatformErrorCode.BAD_PADDING, 'invalid padding');
    }
    for (let i = plain.length - pad; i < plain.length; i++) {
      if (plain[i] !== pad) throw this.fail(OpenPlatformErrorCode.BAD_PADDING, 'invalid padding');
    }

    // Offsets into `plain` rather than subarrays: each Buffer view costs more than the checks.
    const contentEnd = plain.length - pad;
    const start = PREFIX_LENGTH[this.platform] + 4;
    // Check before slicing: a wrong key or tampering shows up as an absurd declared length.
    if (contentEnd < start || plain.readUInt32BE(start - 4) > contentEnd - start) {
      throw this.fail(OpenPlatformErrorCode.BAD_LENGTH, 'declared message length exceeds the decrypted data');
    }
    const end = start + plain.readUInt32BE(start - 4);
    // compare() with a target range is 0 only for equal length and bytes.
    if (this.appId.compare(plain, end, contentEnd) !== 0) {
      throw this.fail(OpenPlatformErrorCode.APPID_MISMATCH, 'trailing appid does not match the configured appId');
    }
    return plain.toString('utf8', start, end);
  }

  private fail(code: OpenPlatformErrorCode, message: string, cause?: unknown): OpenPlatformError {
    return new OpenPlatformError({ platform: this.platform, code, message, retryable: false, cause });
  }
}

function invalid(message: string): never {
  throw new OpenPlatformError({ platform: 'library', code: OpenPlatformErrorCode.INVALID_OPTIONS, message });
}

/** Upper bound of a message decoded into {@link scratch}; larger ones get their own buffer. */
const SCRATCH_LIMIT = 64 * 1024;
// Receives the decoded ciphertext: allocating a fresh ArrayBuffer per message cost about a
// third as much as the AES itself on 4 KiB.
// Safe to share because decrypt() is synchronous and nothing keeps a view of it after return.
let scratch = Buffer.alloc(0);

/**
 * Decodes strict base64 (`^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$`,
 * trailing bits unchecked), or returns `undefined`. Instead of running that pattern, which costs
 * more than the AES on long input, it checks the structure with native scans and lets Node's
 * decoder count the rest: the decoder reads exactly the alphabet plus '-' and '_' (refused here)
 * and skips anything else (or, for characters above U+00FF, truncates them to a byte: refused
 * here as non-ASCII), so any stray character makes the output shorter than the length implies.
 * The result may be a view of the shared scratch buffer: use it before the next call. Exported
 * for tests only.
 */
export function decodeBase64(encoded: string): Buffer | undefined {
  const length = encoded.length;
  if (length % 4 !== 0) return undefined; // also keeps `expected` a whole number of bytes
  // '=' only as the last one or two characters.
  const firstEquals = encoded.indexOf('=');
  const padding = firstEquals === -1 ? 0 : length - firstEquals;
  if (padding > 2 || (padding === 2 && encoded.charCodeAt(length - 1) !== 0x3d)) return undefined;
  if (Buffer.byteLength(encoded, 'utf8') !== length || encoded.includes('-') || encoded.includes('_')) {
    return undefined;
  }
  const expected = (length / 4) * 3 - padding;
  let decoded: Buffer;
  if (expected <= SCRATCH_LIMIT) {
    // Room beyond `expected`, so that output longer than expected would show, not be cut off.
    if (scratch.length < expected + 3) scratch = Buffer.alloc(Math.max(expected + 3, 8192));
    decoded = scratch.subarray(0, scratch.write(encoded, 'base64'));
  } else {
    decoded = Buffer.from(encoded, 'base64');
  }
  return decoded.length === expected ? decoded : undefined;
}

/**
 * The four strings in ascending order, concatenated: what `[a, b, c, d].sort().join('')` returns
 * for strings (both compare UTF-16 code units), with five comparisons and no array. Exported for
 * tests only.
 */
export function sortedConcat(a: string, b: string, c: string, d: string): string {
  let t: string;
  if (b < a) {
    t = a;
    a = b;
    b = t;
  }
  if (d < c) {
    t = c;
    c = d;
    d = t;
  }
  if (c < a) {
    t = a;
    a = c;
    c = t;
  }
  if (d < b) {
    t = b;
    b = d;
    d = t;
  }
  if (c < b) {
    t = b;
    b = c;
    c = t;
  }
  return a + b + c + d;
}

function withIv(key: Buffer): { key: KeyObject; iv: Buffer } {
  return { key: createSecretKey(key), iv: Buffer.from(key.subarray(0, 16)) };
}

function parseKey(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || !KEY_PATTERN.test(value)) {
    invalid(`${field} must be 43 characters of the base64 alphabet`);
  }
  const key = Buffer.from(value + '=', 'base64');
  if (key.length !== 32) invalid(`${field} must decode to 32 bytes`);
  return key;
}
