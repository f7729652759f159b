import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { MessageCrypto, type CryptoPlatform, type MessageCryptoOptions } from './message-crypto.js';

// ---- Known-answer vectors from public test suites (e.g. wechatpy's tests/test_crypto.py),
// each verified independently of this implementation ----
const V1 = {
  token: '123456',
  key: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
  appId: 'wx49f0ab532d5d035a',
  timestamp: '1411525903',
  nonce: '461056294',
  signature: '74d92dfeb87ba7c714f89d98870ae5eb62dff26d',
  encrypt:
    'RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=',
  plaintext: [
    '<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>',
    '<FromUserName><![CDATA[messense]]></FromUserName>',
    '<CreateTime>1411525903</CreateTime>',
    '<MsgType><![CDATA[text]]></MsgType>',
    '<Content><![CDATA[test]]></Content>',
    '<MsgId>4363689963896700987</MsgId>',
    '<AgentID>1</AgentID>',
    '</xml>',
  ].join('\n'),
};
const V2 = {
  key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wxb11529c136998cb6',
  random: Buffer.from('aaaabbbbccccdddd', 'utf8'),
  message: '我是中文abcd123',
  encrypt: 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
};
const V3 = {
  timestamp: '1411443780',
  nonce: '437374425',
  encrypt: '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==',
  signature: 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96',
  echo: '5927782489442352469',
};

// ---- Independent reference implementation: raw Node crypto, written without MessageCrypto ----
const rawKey = (encodingAesKey: string) => Buffer.from(encodingAesKey + '=', 'base64');

/** AES-256-CBC, IV = key[0..16), no automatic padding: `plain` must already be block-aligned. */
function aesEncrypt(encodingAesKey: string, plain: Buffer): string {
  const key = rawKey(encodingAesKey);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function aesDecrypt(encodingAesKey: string, encrypt: string): Buffer {
  const key = rawKey(encodingAesKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
}

/** prefix ‖ uint32 BE declared length ‖ message ‖ appid (no padding). */
function layout(prefix: Buffer, message: string, appId: string, declaredLength?: number): Buffer {
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(declaredLength ?? body.length);
  return Buffer.concat([prefix, length, body, Buffer.from(appId, 'utf8')]);
}

/** PKCS#7 with a 32-byte block. */
function pad32(buf: Buffer): Buffer {
  const n = 32 - (buf.length % 32);
  return Buffer.concat([buf, Buffer.alloc(n, n)]);
}

function referenceEncrypt(key: string, prefix: Buffer, message: string, appId: string): string {
  return aesEncrypt(key, pad32(layout(prefix, message, appId)));
}

function referenceDecrypt(key: string, encrypt: string, prefixLength: number): { message: string; appId: string } {
  const plain = aesDecrypt(key, encrypt);
  const pad = plain[plain.length - 1];
  const content = plain.subarray(0, plain.length - pad);
  const length = content.readUInt32BE(prefixLength);
  const start = prefixLength + 4;
  return {
    message: content.subarray(start, start + length).toString('utf8'),
    appId: content.subarray(start + length).toString('utf8'),
  };
}

// ---- Fixtures and helpers ----
const DOUYIN_KEY = 'ZDY0ZjQ3MmQ1YjQ4NGQ3YjkxZjZmZGZkZmQ2ZmQ3ZjQ';
const OLD_KEY = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI';
const DOUYIN_APPID = 'tt0123456789abcdef';

function wechat(overrides: Partial<MessageCryptoOptions> = {}): MessageCrypto {
  return new MessageCrypto({
    platform: 'wechat',
    token: V1.token,
    encodingAesKey: V1.key,
    appId: V1.appId,
    ...overrides,
  });
}
function douyin(overrides: Partial<MessageCryptoOptions> = {}): MessageCrypto {
  return new MessageCrypto({
    platform: 'douyin',
    token: 'dy-token',
    encodingAesKey: DOUYIN_KEY,
    appId: DOUYIN_APPID,
    ...overrides,
  });
}

/** Runs `fn`, asserting it throws an OpenPlatformError with `code`; returns the error. */
function expectCode(fn: () => unknown, code: OpenPlatformErrorCode): OpenPlatformError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(OpenPlatformError);
  expect((thrown as OpenPlatformError).code).toBe(code);
  return thrown as OpenPlatformError;
}

/** Flips one bit of the decoded ciphertext at `index` and re-encodes it. */
function flip(encrypt: string, index: number): string {
  const buf = Buffer.from(encrypt, 'base64');
  buf[index] = buf[index] ^ 0x01;
  return buf.toString('base64');
}

describe('MessageCrypto', () => {
  describe('known-answer vectors', () => {
    it('V1: signature matches msg_signature', () => {
      expect(wechat().signature(V1.timestamp, V1.nonce, V1.encrypt)).toBe(V1.signature);
      expect(wechat().verifySignature(V1.signature, V1.timestamp, V1.nonce, V1.encrypt)).toBe(true);
    });

    it('V1: decrypts to the exact plaintext with real newlines', () => {
      const plaintext = wechat().decrypt(V1.encrypt);
      expect(plaintext).toBe(V1.plaintext);
      expect(plaintext.split('\n')).toHaveLength(8);
    });

    it('V1: a different nonce fails verifySignature and assertSignature', () => {
      const c = wechat();
      expect(c.verifySignature(V1.signature, V1.timestamp, '461056293', V1.encrypt)).toBe(false);
      const error = expectCode(
        () => c.assertSignature(V1.signature, V1.timestamp, '461056293', V1.encrypt),
        OpenPlatformErrorCode.SIGNATURE_MISMATCH,
      );
      expect(error.platform).toBe('wechat');
      expect(error.retryable).toBe(false);
      expect(() => c.assertSignature(V1.signature, V1.timestamp, V1.nonce, V1.encrypt)).not.toThrow();
    });

    it('V1: assertSignature rejects a missing signature', () => {
      expectCode(
        () => wechat().assertSignature(undefined, V1.timestamp, V1.nonce, V1.encrypt),
        OpenPlatformErrorCode.SIGNATURE_MISMATCH,
      );
    });

    it('verifySignature returns false (never throws) for wrong length, case or non-string input', () => {
      const c = wechat();
      expect(c.verifySignature(V1.signature.slice(1), V1.timestamp, V1.nonce, V1.encrypt)).toBe(false);
      expect(c.verifySignature(V1.signature + '0', V1.timestamp, V1.nonce, V1.encrypt)).toBe(false);
      expect(c.verifySignature('', V1.timestamp, V1.nonce, V1.encrypt)).toBe(false);
      expect(c.verifySignature(V1.signature.toUpperCase(), V1.timestamp, V1.nonce, V1.encrypt)).toBe(false);
      expect(c.verifySignature('é'.repeat(20), V1.timestamp, V1.nonce, V1.encrypt)).toBe(false);
      expect(c.verifySignature(undefined as unknown as string, V1.timestamp, V1.nonce, V1.encrypt)).toBe(false);
      expect(c.verifySignature(42 as unknown as string, V1.timestamp, V1.nonce, V1.encrypt)).toBe(false);
      expect(c.verifySignature(V1.signature, null as unknown as string, V1.nonce, V1.encrypt)).toBe(false);
    });

    it('V2: encrypt with the fixed prefix gives exactly the published Encrypt', () => {
      const c = new MessageCrypto({ platform: 'wechat', token: 't', encodingAesKey: V2.key, appId: V2.appId });
      expect(c.encrypt(V2.message, V2.random)).toBe(V2.encrypt);
      expect(c.decrypt(V2.encrypt)).toBe(V2.message);
      expect(referenceEncrypt(V2.key, V2.random, V2.message, V2.appId)).toBe(V2.encrypt);
    });

    it('V3: URL-check signature and decrypted echo', () => {
      const c = wechat();
      expect(c.signature(V3.timestamp, V3.nonce, V3.encrypt)).toBe(V3.signature);
      expect(c.decrypt(V3.encrypt)).toBe(V3.echo);
    });

    it('the reference decoder agrees with the vectors (sanity check of the test encoder)', () => {
      expect(referenceDecrypt(V1.key, V1.encrypt, 16)).toEqual({ message: V1.plaintext, appId: V1.appId });
    });
  });

  describe('douyin (32-byte prefix)', () => {
    const prefix = Buffer.from('0123456789abcdef0123456789ABCDEF', 'utf8');
    const message = '{"Ticket":"ticket@@@abc","MsgType":"Ticket","抖音":"✓"}';

    it('decrypts a ciphertext built by the independent encoder', () => {
      const encrypt = referenceEncrypt(DOUYIN_KEY, prefix, message, DOUYIN_APPID);
      expect(douyin().decrypt(encrypt)).toBe(message);
    });

    it('its encrypt output is read by the independent decoder', () => {
      const encrypt = douyin().encrypt(message);
      expect(referenceDecrypt(DOUYIN_KEY, encrypt, 32)).toEqual({ message, appId: DOUYIN_APPID });
      expect(douyin().encrypt(message, prefix)).toBe(referenceEncrypt(DOUYIN_KEY, prefix, message, DOUYIN_APPID));
    });

    it("matches Douyin's Go demo (first ciphertext block as IV, then a 16-byte prefix)", () => {
      const cipher = Buffer.from(douyin().encrypt(message), 'base64');
      const key = rawKey(DOUYIN_KEY);
      const decipher = createDecipheriv('aes-256-cbc', key, cipher.subarray(0, 16));
      decipher.setAutoPadding(false);
      const plain = Buffer.concat([decipher.update(cipher.subarray(16)), decipher.final()]);
      const length = plain.readUInt32BE(16);
      expect(plain.subarray(20, 20 + length).toString('utf8')).toBe(message);
    });

    it('does not read a WeChat-layout ciphertext (16-byte prefix) as Douyin', () => {
      // Douyin reads the length at offset 32, i.e. message bytes 12..15 ("Name") => huge length.
      const encrypt = referenceEncrypt(DOUYIN_KEY, V2.random, V1.plaintext, DOUYIN_APPID);
      const error = expectCode(() => douyin().decrypt(encrypt), OpenPlatformErrorCode.BAD_LENGTH);
      expect(error.platform).toBe('douyin');
    });

    it('rejects a 16-byte random prefix for encrypt', () => {
      expectCode(() => douyin().encrypt('x', randomBytes(16)), OpenPlatformErrorCode.INVALID_OPTIONS);
    });
  });

  describe('key rotation', () => {
    // Fixed prefix: with a wrong key the outcome depends on every ciphertext byte, so keep them fixed.
    const encryptedWithOldKey = referenceEncrypt(OLD_KEY, Buffer.alloc(16, 0x62), V1.plaintext, V1.appId);

    it('decrypts with previousEncodingAesKey when the current key fails', () => {
      expect(wechat({ previousEncodingAesKey: OLD_KEY }).decrypt(encryptedWithOldKey)).toBe(V1.plaintext);
    });

    it('still decrypts current-key messages and encrypts with the current key', () => {
      const c = wechat({ previousEncodingAesKey: OLD_KEY });
      expect(c.decrypt(V1.encrypt)).toBe(V1.plaintext);
      expect(referenceDecrypt(V1.key, c.encrypt('hello'), 16).message).toBe('hello');
    });

    it('fails with a typed error without previousEncodingAesKey', () => {
      const error = expectCode(() => wechat().decrypt(encryptedWithOldKey), OpenPlatformErrorCode.BAD_PADDING);
      expect(error.platform).toBe('wechat');
    });

    it("throws the current key's error when both keys fail", () => {
      const c = wechat({ previousEncodingAesKey: OLD_KEY });
      // Current key: wrong appid (APPID_MISMATCH); previous key: garbage.
      const encrypt = referenceEncrypt(V1.key, Buffer.alloc(16, 0x63), 'x', 'wx0000000000000000');
      // The previous key alone fails differently, so the code below proves which error won.
      expectCode(() => wechat({ encodingAesKey: OLD_KEY }).decrypt(encrypt), OpenPlatformErrorCode.BAD_PADDING);
      expectCode(() => c.decrypt(encrypt), OpenPlatformErrorCode.APPID_MISMATCH);
    });
  });

  describe('rejects malformed input with a typed error', () => {
    const prefix = Buffer.alloc(16, 0x61);
    const c = wechat();

    it('tampered ciphertext: a flip in the middle of the body is not detectable by decrypt, only by the signature', () => {
      // CBC has no integrity: flipping byte 160 garbles message bytes 140..155 and nothing structural.
      const tampered = flip(V1.encrypt, 160);
      expect(c.decrypt(tampered)).not.toBe(V1.plaintext);
      expect(c.verifySignature(V1.signature, V1.timestamp, V1.nonce, tampered)).toBe(false);
      expectCode(
        () => c.assertSignature(V1.signature, V1.timestamp, V1.nonce, tampered),
        OpenPlatformErrorCode.SIGNATURE_MISMATCH,
      );
    });

    it('tampered ciphertext: a flip that reaches the length field => BAD_LENGTH', () => {
      // Ciphertext byte 0 is XORed into plaintext byte 16, the high byte of the declared length.
      expectCode(() => c.decrypt(flip(V1.encrypt, 0)), OpenPlatformErrorCode.BAD_LENGTH);
    });

    it('tampered ciphertext: a flip in the middle block holding the appid => APPID_MISMATCH', () => {
      // V1: 320 bytes, appid at 301..318; block 18 (288..303) decrypts to garbage.
      expectCode(() => c.decrypt(flip(V1.encrypt, 290)), OpenPlatformErrorCode.APPID_MISMATCH);
    });

    it('tampered ciphertext: a flip in the last block => BAD_PADDING', () => {
      expectCode(() => c.decrypt(flip(V1.encrypt, 315)), OpenPlatformErrorCode.BAD_PADDING);
    });

    it('tampered ciphertext: a flip of the pad byte (via the previous block) => BAD_PADDING', () => {
      expectCode(() => c.decrypt(flip(V1.encrypt, 303)), OpenPlatformErrorCode.BAD_PADDING);
    });

    it('wrong trailing appid => APPID_MISMATCH', () => {
      const encrypt = referenceEncrypt(V1.key, prefix, 'hello', 'wx1111111111111111');
      const error = expectCode(() => c.decrypt(encrypt), OpenPlatformErrorCode.APPID_MISMATCH);
      expect(error.message).not.toContain('hello');
      // A longer appid that merely starts with the configured one is not accepted either.
      expectCode(
        () => c.decrypt(referenceEncrypt(V1.key, prefix, 'hello', V1.appId + 'x')),
        OpenPlatformErrorCode.APPID_MISMATCH,
      );
    });

    it('pad byte 0 => BAD_PADDING', () => {
      const plain = Buffer.concat([layout(prefix, 'hello', V1.appId), Buffer.alloc(64)]).subarray(0, 64);
      expect(plain[63]).toBe(0);
      expectCode(() => c.decrypt(aesEncrypt(V1.key, plain)), OpenPlatformErrorCode.BAD_PADDING);
    });

    it('pad byte 33 => BAD_PADDING', () => {
      const body = layout(prefix, 'hello', V1.appId); // 43 bytes
      const plain = Buffer.concat([body, Buffer.alloc(96 - body.length, 33)]);
      expect(plain[plain.length - 1]).toBe(33);
      expectCode(() => c.decrypt(aesEncrypt(V1.key, plain)), OpenPlatformErrorCode.BAD_PADDING);
    });

    it('pad bytes not all equal => BAD_PADDING', () => {
      const plain = pad32(layout(prefix, 'hello', V1.appId));
      const n = plain[plain.length - 1];
      expect(n).toBeGreaterThan(2);
      plain[plain.length - n] = n - 1; // first pad byte differs
      expectCode(() => c.decrypt(aesEncrypt(V1.key, plain)), OpenPlatformErrorCode.BAD_PADDING);
    });

    it('pad count larger than a single 16-byte ciphertext => BAD_PADDING', () => {
      expectCode(() => c.decrypt(aesEncrypt(V1.key, Buffer.alloc(16, 32))), OpenPlatformErrorCode.BAD_PADDING);
    });

    it('declared length beyond the buffer => BAD_LENGTH', () => {
      const encrypt = aesEncrypt(V1.key, pad32(layout(prefix, 'hello', V1.appId, 5 + V1.appId.length + 1)));
      expectCode(() => c.decrypt(encrypt), OpenPlatformErrorCode.BAD_LENGTH);
      const huge = aesEncrypt(V1.key, pad32(layout(prefix, 'hello', V1.appId, 0xffffffff)));
      expectCode(() => c.decrypt(huge), OpenPlatformErrorCode.BAD_LENGTH);
    });

    it('content shorter than prefix + length field => BAD_LENGTH', () => {
      expectCode(() => c.decrypt(aesEncrypt(V1.key, pad32(Buffer.alloc(10, 1)))), OpenPlatformErrorCode.BAD_LENGTH);
    });

    it('ciphertext not a multiple of 16 => BAD_PADDING', () => {
      const cut = Buffer.from(V1.encrypt, 'base64').subarray(0, 319).toString('base64');
      expectCode(() => c.decrypt(cut), OpenPlatformErrorCode.BAD_PADDING);
      expectCode(() => c.decrypt(Buffer.alloc(15).toString('base64')), OpenPlatformErrorCode.BAD_PADDING);
    });

    it('empty string => BAD_PADDING (zero-length ciphertext)', () => {
      expectCode(() => c.decrypt(''), OpenPlatformErrorCode.BAD_PADDING);
    });

    it('wrong key => typed error (BAD_PADDING for V1), never a raw crypto error', () => {
      const other = new MessageCrypto({ platform: 'wechat', token: V1.token, encodingAesKey: V2.key, appId: V1.appId });
      const error = expectCode(() => other.decrypt(V1.encrypt), OpenPlatformErrorCode.BAD_PADDING);
      expect(error.retryable).toBe(false);
    });

    it.each([
      ['"!!!!"', '!!!!'],
      ['a space', 'Rgq EoJj5'],
      ['a space inside V1', V1.encrypt.slice(0, 40) + ' ' + V1.encrypt.slice(40)],
      ['a trailing newline', V1.encrypt + '\n'],
      ['a missing "=" (wrong length)', V1.encrypt.slice(0, -1)],
      ['"abc" (wrong length)', 'abc'],
      ['"=" in the middle', 'ab=c'],
      ['only padding', '===='],
      ['base64url alphabet', V1.encrypt.replace(/\+/g, '-').replace(/\//g, '_')],
      ['leading garbage', '%%%%' + V1.encrypt.slice(4)],
    ])('non-base64 input (%s) => BAD_BASE64', (_label, input) => {
      expectCode(() => c.decrypt(input), OpenPlatformErrorCode.BAD_BASE64);
    });

    it('non-string input => BAD_BASE64', () => {
      expectCode(() => c.decrypt(undefined as unknown as string), OpenPlatformErrorCode.BAD_BASE64);
      expectCode(() => c.decrypt(Buffer.from('x') as unknown as string), OpenPlatformErrorCode.BAD_BASE64);
    });

    it('random of the wrong length for encrypt => INVALID_OPTIONS', () => {
      expectCode(() => c.encrypt('x', randomBytes(15)), OpenPlatformErrorCode.INVALID_OPTIONS);
      expectCode(() => c.encrypt('x', randomBytes(32)), OpenPlatformErrorCode.INVALID_OPTIONS);
      expectCode(() => c.encrypt('x', Buffer.alloc(0)), OpenPlatformErrorCode.INVALID_OPTIONS);
    });

    it('error messages never contain the key, token or plaintext', () => {
      const secretMessage = 'top-secret-plaintext';
      const errors = [
        expectCode(
          () => c.decrypt(referenceEncrypt(V1.key, prefix, secretMessage, 'wxother')),
          OpenPlatformErrorCode.APPID_MISMATCH,
        ),
        expectCode(() => c.decrypt(flip(V1.encrypt, 0)), OpenPlatformErrorCode.BAD_LENGTH),
        expectCode(() => c.assertSignature('x', '1', '2', V1.encrypt), OpenPlatformErrorCode.SIGNATURE_MISMATCH),
      ];
      for (const error of errors) {
        for (const secret of [V1.key, V1.token, secretMessage, '<xml>']) expect(error.message).not.toContain(secret);
      }
    });
  });

  describe('constructor validation', () => {
    const base: MessageCryptoOptions = {
      platform: 'wechat',
      token: 'secret-token-value',
      encodingAesKey: V1.key,
      appId: V1.appId,
    };

    it.each([
      ['encodingAesKey of 42 chars', { encodingAesKey: V1.key.slice(0, 42) }, 'encodingAesKey'],
      ['encodingAesKey of 44 chars', { encodingAesKey: V1.key + 'A' }, 'encodingAesKey'],
      ['encodingAesKey with non-base64 chars', { encodingAesKey: V1.key.slice(0, 40) + '$-_' }, 'encodingAesKey'],
      ['encodingAesKey with a trailing "="', { encodingAesKey: V1.key.slice(0, 42) + '=' }, 'encodingAesKey'],
      [
        'previousEncodingAesKey of 42 chars',
        { previousEncodingAesKey: OLD_KEY.slice(0, 42) },
        'previousEncodingAesKey',
      ],
      ['empty previousEncodingAesKey', { previousEncodingAesKey: '' }, 'previousEncodingAesKey'],
      ['empty token', { token: '' }, 'token'],
      ['non-string token', { token: 123 as unknown as string }, 'token'],
      ['empty appId', { appId: '' }, 'appId'],
      ['unknown platform', { platform: 'alipay' as CryptoPlatform }, 'platform'],
    ])('%s => INVALID_OPTIONS naming the field', (_name, override, field) => {
      const options = { ...base, ...override };
      const error = expectCode(() => new MessageCrypto(options), OpenPlatformErrorCode.INVALID_OPTIONS);
      expect(error.platform).toBe('library');
      expect(error.message).toContain(field);
      for (const value of [options.encodingAesKey, options.previousEncodingAesKey, base.token, V1.key.slice(0, 42)]) {
        if (value) expect(error.message).not.toContain(value);
      }
    });

    it('missing options => INVALID_OPTIONS', () => {
      expectCode(
        () => new MessageCrypto(undefined as unknown as MessageCryptoOptions),
        OpenPlatformErrorCode.INVALID_OPTIONS,
      );
    });

    it('the 42-char key message says what is expected', () => {
      const error = expectCode(
        () => new MessageCrypto({ ...base, encodingAesKey: V1.key.slice(0, 42) }),
        OpenPlatformErrorCode.INVALID_OPTIONS,
      );
      expect(error.message).toMatch(/^encodingAesKey must be 43 characters/);
    });
  });

  describe('property: random messages round-trip', () => {
    // Seeded PRNG (mulberry32) so a failure is reproducible.
    function prng(seed: number): () => number {
      return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }
    /** Random Unicode scalar values (no lone surrogates, which UTF-8 cannot carry). */
    function randomText(rand: () => number, length: number): string {
      const ranges: Array<[number, number]> = [
        [0x00, 0x7f],
        [0x80, 0x7ff],
        [0x800, 0xd7ff],
        [0xe000, 0xffff],
        [0x10000, 0x10ffff],
      ];
      let s = '';
      for (let i = 0; i < length; i++) {
        const [lo, hi] = ranges[Math.floor(rand() * ranges.length)];
        s += String.fromCodePoint(lo + Math.floor(rand() * (hi - lo + 1)));
      }
      return s;
    }

    it.each<[CryptoPlatform, () => MessageCrypto, string, number]>([
      ['wechat', () => wechat(), V1.key, 16],
      ['douyin', () => douyin(), DOUYIN_KEY, 32],
    ])('200 messages of 0..3000 code points on %s', (_platform, make, key, prefixLength) => {
      const c = make();
      const rand = prng(prefixLength);
      for (let i = 0; i < 200; i++) {
        const message = randomText(rand, Math.floor(rand() * 3001));
        const encrypt = c.encrypt(message);
        expect(c.decrypt(encrypt)).toBe(message);
        expect(referenceDecrypt(key, encrypt, prefixLength).message).toBe(message);
      }
    });
  });
});
