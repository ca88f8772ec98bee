// Password hashing with scrypt and the rules for new passwords.
import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from '../../src/auth/passwords.js';
import { parseRoleList } from '../../src/auth/roles.js';

describe('password hashes', () => {
  it('are scrypt with a random 16-byte salt and the parameters stored with them', async () => {
    const a = await hashPassword('amber-lantern-quietly-77');
    const b = await hashPassword('amber-lantern-quietly-77');
    const [scheme, N, r, p, salt, key] = a.split('$');
    expect([scheme, N, r, p]).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(key!, 'base64')).toHaveLength(64);
    // Same password, another salt, another hash.
    expect(b.split('$')[4]).not.toBe(salt);
    expect(b).not.toBe(a);
    // The key is scrypt of the password with that salt, as node:crypto computes it.
    const expected = scryptSync('amber-lantern-quietly-77', Buffer.from(salt!, 'base64'), 64, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    expect(key).toBe(expected.toString('base64'));
  });

  it('verify the right password only', async () => {
    const stored = await hashPassword('amber-lantern-quietly-77');
    await expect(verifyPassword('amber-lantern-quietly-77', stored)).resolves.toBe(true);
    await expect(verifyPassword('amber-lantern-quietly-78', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
    await expect(verifyPassword('amber-lantern-quietly-77', 'plain-text')).resolves.toBe(false);
  });

  it('verify hashes made with other parameters, which are then due for rehashing', async () => {
    const salt = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const key = scryptSync('older-hash-password', salt, 64, { N: 1024, r: 8, p: 1 });
    const old = ['scrypt', 1024, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
    await expect(verifyPassword('older-hash-password', old)).resolves.toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(await hashPassword('older-hash-password'))).toBe(false);
  });
});

describe('rules for new passwords', () => {
  it('accepts long, unrelated words and random text', () => {
    for (const ok of ['amber-lantern-quietly-77', 'Tr0ub4dor&3-horse', 'k7#Qz9!vLm2p', 'correct horse battery staple']) expect(passwordProblem(ok, ['alice']), ok).toBeNull();
  });

  it('refuses weak passwords, saying why', () => {
    const cases: [string, string][] = [
      ['short1!', 'must be at least 10 characters long'],
      ['x'.repeat(257), 'must be at most 256 characters long'],
      ['aaaaaaaaaaaa', 'uses too few different characters'],
      ['abcabcabcabc', 'uses too few different characters'],
      ['ab12ab12ab12', 'repeats a short pattern'],
      ['1234567890', 'is a keyboard or alphabet sequence'],
      ['qwertyuiop', 'is a keyboard or alphabet sequence'],
      ['ZYXWVUTSRQPO', 'is a keyboard or alphabet sequence'],
      ['1q2w3e4r5t', 'is a keyboard or alphabet sequence'],
      ['Password2024!', 'is a common password (adding digits or symbols does not make it safe)'],
      ['P@ssw0rd123', 'is a common password (adding digits or symbols does not make it safe)'],
      ['!!radiology!!', 'is a common password (adding digits or symbols does not make it safe)'],
      ['@dmin-2024', 'is a common password (adding digits or symbols does not make it safe)'],
      ['openremopenrem', 'repeats a short pattern'],
      ['passwordpassword1!', 'is a common password (adding digits or symbols does not make it safe)'],
      ['alice-in-2024', 'must not contain your user name or name'],
    ];
    for (const [password, reason] of cases) expect(passwordProblem(password, ['Alice']), password).toBe(reason);
  });
});

describe('role lists', () => {
  it('reads comma-separated roles in the canonical order and names unknown ones', () => {
    expect(parseRoleList('export, VIEW,view')).toEqual(['view', 'export']);
    expect(parseRoleList('')).toEqual([]);
    expect(() => parseRoleList('view,wizard')).toThrow('unknown role wizard; roles are view, importsize, importqr, export, pid, admin');
  });
});
