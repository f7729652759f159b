import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Admin passwords are kept as scrypt hashes: `scrypt$N$r$p$<salt base64>$<hash base64>`.
 * Parameters travel with the hash so they can be raised later without breaking old hashes.
 */
interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** Default cost: N = 2^15, r = 8, p = 1 (~32 MiB, tens of ms per check: cheap for one operator, dear for a guesser). */
const DEFAULTS = { N: 2 ** 15, r: 8, p: 1 } as const;

function parse(text: string): ScryptHash | string {
  const parts = text.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return 'must be scrypt$N$r$p$<salt base64>$<hash base64>';
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (!Number.isInteger(N) || N < 2 ** 10 || N > 2 ** 20 || (N & (N - 1)) !== 0)
    return 'N must be a power of two from 2^10 to 2^20';
  if (!Number.isInteger(r) || r < 1 || r > 32) return 'r must be an integer from 1 to 32';
  if (!Number.isInteger(p) || p < 1 || p > 16) return 'p must be an integer from 1 to 16';
  const salt = Buffer.from(parts[4], 'base64');
  const hash = Buffer.from(parts[5], 'base64');
  if (salt.length < 16) return 'the salt must be at least 16 bytes';
  if (hash.length < 32 || hash.length > 128) return 'the hash must be 32 to 128 bytes';
  return { N, r, p, salt, hash };
}

/** Why `text` is not a usable scrypt hash, or undefined if it is. Never echoes the text. */
export function scryptHashProblem(text: string): string | undefined {
  const parsed = parse(text);
  return typeof parsed === 'string' ? parsed : undefined;
}

function derive(
  password: string,
  salt: Buffer,
  length: number,
  o: ScryptOptions & { N: number; r: number; p: number },
) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, length, { ...o, maxmem: 256 * o.N * o.r + 16 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * Hashes an admin password for `admin.basicAuth.passwordHash`, e.g. once from a shell:
 * `node -e "import('nest-open-platform').then(m => m.hashAdminPassword(process.argv[1])).then(console.log)" 'pw'`.
 */
export async function hashAdminPassword(
  password: string,
  cost: { N?: number; r?: number; p?: number } = {},
): Promise<string> {
  const o = { ...DEFAULTS, ...cost };
  const salt = randomBytes(16);
  const hash = await derive(password, salt, 32, o);
  return `scrypt$${o.N}$${o.r}$${o.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Whether `password` matches the hash; compared in constant time. False for an unusable hash. */
export async function verifyAdminPassword(password: string, passwordHash: string): Promise<boolean> {
  const parsed = parse(passwordHash);
  if (typeof parsed === 'string') return false;
  const derived = await derive(password, parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(derived, parsed.hash);
}
