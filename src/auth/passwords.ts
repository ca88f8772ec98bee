// Password hashing (scrypt from node:crypto, a random salt per password, the cost parameters
// stored with the hash so they can be raised later) and the rules a new password must meet.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const MIN_PASSWORD_LENGTH = 10;
/** Long enough for any passphrase; bounds the work one sign-in attempt can cause. */
export const MAX_PASSWORD_LENGTH = 256;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** About 80 ms and 32 MiB per hash on a small server: slow for guessing, fine for signing in. */
const CURRENT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 64;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; allow twice that so raised parameters still fit.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** "scrypt$N$r$p$salt$hash" with salt and hash in base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, CURRENT);
  return ['scrypt', CURRENT.N, CURRENT.r, CURRENT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return null;
  return { params: { N, r, p }, salt: Buffer.from(parts[4]!, 'base64'), key: Buffer.from(parts[5]!, 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || password.length > MAX_PASSWORD_LENGTH) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** True when a stored hash was made with other parameters than new hashes use. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.params.N !== CURRENT.N || parsed.params.r !== CURRENT.r || parsed.params.p !== CURRENT.p;
}

/** A hash of a random password: verifying against it costs as much as against a real one. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(24).toString('base64'));
  return decoy;
}

// ---------------------------------------------------------------- rules for new passwords

/** Words that head every list of leaked passwords, and the words of this field. */
const COMMON_WORDS = new Set([
  'password', 'passwort', 'motdepasse', 'qwerty', 'azerty', 'letmein', 'welcome', 'iloveyou', 'admin', 'administrator',
  'changeme', 'secret', 'monkey', 'dragon', 'football', 'baseball', 'sunshine', 'princess', 'master', 'shadow',
  'superman', 'trustno', 'whatever', 'starwars', 'computer', 'hospital', 'radiology', 'radiation', 'openrem', 'dicom',
  'physics', 'physicist', 'default', 'login', 'test', 'guest', 'user', 'summer', 'winter', 'spring', 'autumn',
]);

const SEQUENCES = [
  'abcdefghijklmnopqrstuvwxyz',
  '01234567890',
  'qwertyuiopasdfghjklzxcvbnm',
  'qwertzuiopasdfghjklyxcvbnm',
  'azertyuiopqsdfghjklmwxcvbn',
  '1q2w3e4r5t6y7u8i9o0p',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
];

const LEET: Record<string, string> = { '@': 'a', '4': 'a', '0': 'o', '1': 'i', '!': 'i', '3': 'e', '$': 's', '5': 's', '7': 't' };

function isSequence(lower: string): boolean {
  const reversed = [...lower].reverse().join('');
  return SEQUENCES.some((s) => s.includes(lower) || s.includes(reversed));
}

function repeatsPattern(text: string): boolean {
  for (let len = 1; len <= text.length / 2; len++) {
    if (text.length % len === 0 && text.slice(0, len).repeat(text.length / len) === text) return true;
  }
  return false;
}

/**
 * What the password reads as with look-alike digits and symbols taken as letters and the
 * digits and symbols padded around it left out; both readings of a leading symbol ("@dmin",
 * "!!secret").
 */
function coreWords(lower: string): string[] {
  const unleet = (text: string) => [...text].map((c) => LEET[c] ?? c).join('');
  const body = lower.replace(/[^a-z]+$/, '');
  return [unleet(body), unleet(body.replace(/^[^a-z]+/, ''))];
}

function isCommon(word: string): boolean {
  if (COMMON_WORDS.has(word)) return true;
  // The same word twice or more ("passwordpassword").
  return [...COMMON_WORDS].some((w) => w.length >= 5 && word.length > w.length && word === w.repeat(word.length / w.length));
}

/**
 * Why a new password cannot be used, or null when it can. `personal` holds the user name and
 * other details of the account, which a password must not contain.
 */
export function passwordProblem(password: string, personal: readonly (string | null | undefined)[] = []): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  const lower = password.toLowerCase();
  for (const item of personal) {
    const word = item?.trim().toLowerCase();
    if (word && word.length >= 3 && lower.includes(word)) return 'must not contain your user name or name';
  }
  if (new Set(lower).size < 4) return 'uses too few different characters';
  if (repeatsPattern(lower)) return 'repeats a short pattern';
  if (isSequence(lower)) return 'is a keyboard or alphabet sequence';
  if (coreWords(lower).some(isCommon)) return 'is a common password (adding digits or symbols does not make it safe)';
  return null;
}
