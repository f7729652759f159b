// The fast paths of MessageCrypto (base64 checked by native scans and the decoded length, scratch
// decode buffer, sorting network for the signature) must accept and reject exactly what the
// straightforward code did.
import { createHash } from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { decodeBase64, MessageCrypto, sortedConcat } from './message-crypto.js';

/** The validation decrypt() used before the fast path, kept verbatim as the oracle. */
const OLD_BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** What decrypt() used to do: the pattern, then Node's decoder. */
function oldDecode(s: string): Buffer | undefined {
  return OLD_BASE64_PATTERN.test(s) ? Buffer.from(s, 'base64') : undefined;
}

/** Asserts the new decoder agrees with the old one on `s`: same verdict, same bytes. */
function expectSameAsOld(s: string): void {
  const expected = oldDecode(s);
  const actual = decodeBase64(s);
  if (expected === undefined) {
    expect({ s, accepted: actual !== undefined }).toEqual({ s, accepted: false });
  } else {
    expect({ s, bytes: actual?.toString('hex') }).toEqual({ s, bytes: expected.toString('hex') });
  }
}

// Seeded PRNG (mulberry32) so a failure is reproducible.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
// Characters Node's decoder skips or reads although the pattern refuses them: whitespace, '=',
// the URL-safe alphabet, other ASCII, and non-Latin-1 characters whose low byte is in the
// alphabet ('Ł' = U+0141 -> 0x41 'A', 'ī' = U+012B -> '+', 'į' = U+012F -> '/'), which a decoder
// truncating to 8 bits would read as valid.
const HOSTILE = [' ', '\n', '\r', '\t', '=', '-', '_', '.', '%', '\0', 'é', 'Ł', 'ī', 'į', '\u2028', '\ud800', '😀'];

function mutate(rand: () => number, s: string): string {
  const pick = (chars: string | string[]) => chars[Math.floor(rand() * chars.length)];
  const at = Math.floor(rand() * (s.length + 1));
  switch (Math.floor(rand() * 7)) {
    case 0: // insert a hostile character
      return s.slice(0, at) + pick(HOSTILE) + s.slice(at);
    case 1: // replace a character with a hostile one
      return s.slice(0, at) + pick(HOSTILE) + s.slice(at + 1);
    case 2: // delete a character
      return s.slice(0, at) + s.slice(at + 1);
    case 3: // replace a character with another of the alphabet (may set trailing bits)
      return s.slice(0, at) + pick(ALPHABET) + s.slice(at + 1);
    case 4: // strip or add padding
      return rand() < 0.5 ? s.replace(/=+$/, '') : s + '='.repeat(1 + Math.floor(rand() * 2));
    case 5: // URL-safe alphabet
      return s.replace(/\+/g, '-').replace(/\//g, '_');
    default: // insert an alphabet character (wrong length)
      return s.slice(0, at) + pick(ALPHABET) + s.slice(at);
  }
}

describe('MessageCrypto strictness of the fast paths', () => {
  describe('base64: differential test against the old pattern', () => {
    it('every UTF-16 code unit outside the alphabet and "=" is refused wherever it stands', () => {
      // The decoder-length argument holds per character, so all 65,536 code units are tried at
      // the start, the middle and the last data position of an unpadded and a padded string.
      const templates: Array<[string, number[]]> = [
        ['QUJDREVGR0hJ', [0, 5, 11]],
        ['QUJDREVGRw==', [0, 5, 9]],
        ['QUJDREVGR0g=', [0, 5, 10]],
      ];
      const wronglyAccepted: string[] = [];
      for (let unit = 0; unit <= 0xffff; unit++) {
        const ch = String.fromCharCode(unit);
        // '=' placements are covered by the exhaustive short strings below.
        if (ALPHABET.includes(ch) || ch === '=') continue;
        for (const [template, positions] of templates) {
          for (const at of positions) {
            const s = template.slice(0, at) + ch + template.slice(at + 1);
            if (decodeBase64(s) !== undefined || oldDecode(s) !== undefined) {
              wronglyAccepted.push(`U+${unit.toString(16).padStart(4, '0')} at ${at} of ${template}`);
            }
          }
        }
      }
      expect(wronglyAccepted).toEqual([]);
      // The templates themselves are accepted, so each refusal is the substituted unit's doing.
      for (const [template] of templates) expect(decodeBase64(template)?.toString('base64')).toBe(template);
    });

    it('every string of length 0..5 over a small alphabet of valid and hostile characters', () => {
      // 'A' and 'Q' differ in the bits dropped by "xx==", so non-canonical input is covered.
      const chars = ['A', 'Q', '+', '/', '=', '-', ' ', 'Ł'];
      let count = 0;
      const walk = (prefix: string): void => {
        expectSameAsOld(prefix);
        count++;
        if (prefix.length < 5) for (const c of chars) walk(prefix + c);
      };
      walk('');
      expect(count).toBe((8 ** 6 - 1) / 7);
    });

    it('5,000 mutations of genuine base64 of 0..300 bytes', () => {
      const rand = prng(12);
      let accepted = 0;
      for (let i = 0; i < 5000; i++) {
        const bytes = Buffer.alloc(Math.floor(rand() * 301));
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
        let s = bytes.toString('base64');
        const mutations = Math.floor(rand() * 3);
        for (let m = 0; m < mutations; m++) s = mutate(rand, s);
        expectSameAsOld(s);
        if (OLD_BASE64_PATTERN.test(s)) accepted++;
      }
      // Both verdicts are exercised in quantity, not just one side.
      expect(accepted).toBeGreaterThan(1000);
      expect(accepted).toBeLessThan(4000);
    });

    it('input beyond the scratch buffer (over 64 KiB decoded) takes the same decisions', () => {
      const big = Buffer.alloc(70 * 1024, 0xa5).toString('base64');
      expectSameAsOld(big);
      expectSameAsOld(big.slice(0, 40000) + ' ' + big.slice(40000));
      expect(big.slice(-4)).toBe('pQ==');
      expectSameAsOld(big.slice(0, -4) + 'pR=='); // non-canonical trailing bits: accepted as before
      expectSameAsOld(big.slice(0, -4) + 'p-==');
      expect(decodeBase64(big)?.length).toBe(70 * 1024);
    });

    it('non-canonical base64 (trailing bits set) is still accepted, and decrypts as before', () => {
      const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
      const c = new MessageCrypto({ platform: 'wechat', token: 't', encodingAesKey: key, appId: 'wxb11529c136998cb6' });
      const canonical = 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==';
      // 'g' and 'h' differ only in the 4 bits "xx==" drops; the signature covers the exact string.
      const nonCanonical = canonical.replace(/fg==$/, 'fh==');
      expect(Buffer.from(nonCanonical, 'base64').toString('base64')).toBe(canonical);
      expect(c.decrypt(nonCanonical)).toBe('我是中文abcd123');
      expect(c.signature('1', '2', nonCanonical)).not.toBe(c.signature('1', '2', canonical));
    });

    it.each([
      ['a non-Latin-1 character whose low byte is "A"', 'QUJ\u0141'],
      ['"=" in the middle of an otherwise valid string', 'QUJD=QUJD'],
      ['a tab', 'QUJD\tQUJD'],
      ['three "="', 'QQ==='],
      ['URL-safe characters', 'ab-_'],
    ])('decrypt refuses %s with BAD_BASE64', (_label, input) => {
      const c = new MessageCrypto({
        platform: 'douyin',
        token: 't',
        encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
        appId: 'tt1',
      });
      let thrown: unknown;
      try {
        c.decrypt(input);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(OpenPlatformError);
      expect((thrown as OpenPlatformError).code).toBe(OpenPlatformErrorCode.BAD_BASE64);
    });
  });

  describe('scratch buffer', () => {
    it('messages of alternating sizes decrypt correctly one after the other, with key rotation', () => {
      const options = { platform: 'wechat' as const, token: 't', appId: 'wx_scratch' };
      const oldKey = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI';
      const current = new MessageCrypto({ ...options, encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' });
      const previous = new MessageCrypto({ ...options, encodingAesKey: oldKey });
      const rotating = new MessageCrypto({
        ...options,
        encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
        previousEncodingAesKey: oldKey,
      });
      const rand = prng(7);
      const results: string[] = [];
      const expected: string[] = [];
      for (let i = 0; i < 60; i++) {
        // Sizes straddle the 8 KiB initial scratch and the 64 KiB limit.
        const size = [10, 5000, 9000, 70 * 1024, 300][i % 5] + Math.floor(rand() * 40);
        const message = String.fromCharCode(97 + (i % 26)).repeat(size);
        const sender = i % 3 === 0 ? previous : current;
        results.push(rotating.decrypt(sender.encrypt(message)));
        expected.push(message);
      }
      // Compared at the end: no earlier result was changed by a later decode.
      expect(results).toEqual(expected);
    });
  });

  describe('signature: sorting network', () => {
    const oldSignatureInput = (parts: string[]) => [...parts].sort().join('');

    it('matches Array#sort().join for all orders of tricky strings', () => {
      // Prefixes, duplicates, empty strings, and UTF-16 order vs code point order ('\uff61' sorts
      // after a surrogate pair by code unit, before it by code point).
      const pool = ['', 'a', 'ab', 'a', 'B', '1411525903', '\uff61', '😀', 'é', 'token'];
      const rand = prng(3);
      for (let i = 0; i < 3000; i++) {
        const parts = [0, 1, 2, 3].map(() => pool[Math.floor(rand() * pool.length)]);
        expect(sortedConcat(parts[0], parts[1], parts[2], parts[3])).toBe(oldSignatureInput(parts));
      }
    });

    it('matches for every permutation of four distinct strings', () => {
      const values = ['c', 'a', 'd', 'b'];
      const perms = (xs: string[]): string[][] =>
        xs.length <= 1
          ? [xs]
          : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
      const all = perms(values);
      expect(all).toHaveLength(24);
      for (const p of all) expect(sortedConcat(p[0], p[1], p[2], p[3])).toBe('abcd');
    });

    it('signature() equals sha1 of the sorted join, computed independently', () => {
      const c = new MessageCrypto({
        platform: 'wechat',
        token: 'tök',
        encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
        appId: 'wx1',
      });
      for (const [timestamp, nonce, encrypt] of [
        ['1411525903', '461056294', 'RgqE+/=='],
        ['', '😀', 'tök'],
        ['9', '10', '1'],
      ]) {
        const expected = createHash('sha1')
          .update(oldSignatureInput(['tök', timestamp, nonce, encrypt]))
          .digest('hex');
        expect(c.signature(timestamp, nonce, encrypt)).toBe(expected);
        expect(c.verifySignature(expected, timestamp, nonce, encrypt)).toBe(true);
      }
    });
  });
});
