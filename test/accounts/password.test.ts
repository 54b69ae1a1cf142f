import { describe, expect, it } from 'vitest';
import { hashPassword, SCRYPT_PARAMS, verifyPassword } from '../../src/accounts/password.ts';

describe('password hashing (scrypt)', () => {
  it('given a hash, when the same password is verified, then it matches', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
  });

  it('given a hash, when a different password is verified, then it fails', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('stores a self-describing string with its parameters, a 16-byte salt and a 64-byte hash', async () => {
    const stored = await hashPassword('pw-12345678');
    const [alg, n, r, p, salt, hash] = stored.split('$');
    expect(alg).toBe('scrypt');
    expect([Number(n), Number(r), Number(p)]).toEqual([SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
    expect([16384, 8, 1]).toEqual([Number(n), Number(r), Number(p)]);
    expect(Buffer.from(salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash, 'base64')).toHaveLength(64);
  });

  it('salts every hash: the same password twice gives different strings, both valid', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('given a tampered hash, salt or parameter, when verified, then it fails', async () => {
    const stored = await hashPassword('tamper-proof');
    const parts = stored.split('$');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] ^= 1;
      return bytes.toString('base64');
    };
    const withPart = (i: number, v: string) => parts.map((x, j) => (j === i ? v : x)).join('$');
    expect(await verifyPassword('tamper-proof', withPart(5, flip(parts[5])))).toBe(false);
    expect(await verifyPassword('tamper-proof', withPart(4, flip(parts[4])))).toBe(false);
    expect(await verifyPassword('tamper-proof', withPart(1, '8192'))).toBe(false);
    expect(await verifyPassword('tamper-proof', withPart(2, '4'))).toBe(false);
  });

  it('given malformed or absurd stored strings, when verified, then false without throwing', async () => {
    const stored = await hashPassword('whatever1');
    for (const bad of [
      '',
      'plain-text-password',
      stored.replace('scrypt$', 'bcrypt$'),
      stored.split('$').slice(0, 5).join('$'),
      stored.replace('$16384$', '$1000$'), // not a power of two
      stored.replace('$16384$', '$1073741824$'), // far too much memory
      stored.replace('$8$1$', '$8$0$'),
      `${stored}$extra`,
    ]) {
      expect(await verifyPassword('whatever1', bad)).toBe(false);
    }
  });
});
