import { generateKeyPairSync } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import {
  type CredentialPayload,
  checkRotatingCode,
  parseQrContent,
  qrContent,
  rotatingCode,
  STEP_SECONDS,
  signCredential,
  stepAt,
  verifyCredential,
} from '../../src/tickets/credential.ts';

// The credential alone: the signed token, the QR content around it and the rotating code.

const pair = () => generateKeyPairSync('ed25519');
const { privateKey, publicKey } = pair();
const keys = new Map([['k1', publicKey]]);
const P: CredentialPayload = { v: 1, t: 'tkt_1', e: 'show', s: 'Stalls, row A, seat 1', n: 1, k: 'k1' };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('signed credentials', () => {
  it('given a signed payload, then it verifies with the key of its key id and gives the payload back', () => {
    const token = signCredential(P, privateKey);
    expect(token).toMatch(/^onsale1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyCredential(token, keys)).toEqual({ ok: true, payload: P });
  });

  it('given a payload changed after signing (another seat, another version), then bad_signature', () => {
    const [, , sig] = signCredential(P, privateKey).split('.');
    for (const changed of [
      { ...P, s: 'Stalls, row A, seat 2' },
      { ...P, n: 2 },
      { ...P, t: 'tkt_2' },
    ])
      expect(verifyCredential(`onsale1.${b64(changed)}.${sig}`, keys)).toEqual({
        ok: false,
        reason: 'bad_signature',
      });
  });

  it('given a token signed by another key under the same key id, then bad_signature', () => {
    const token = signCredential(P, pair().privateKey);
    expect(verifyCredential(token, keys)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('given a key id the event does not have, then unknown_key', () => {
    const token = signCredential({ ...P, k: 'k9' }, privateKey);
    expect(verifyCredential(token, keys)).toEqual({ ok: false, reason: 'unknown_key' });
    expect(verifyCredential(token, new Map([['k9', publicKey]]))).toMatchObject({ ok: true });
  });

  it('given malformed strings, then malformed, and nothing throws', () => {
    const good = signCredential(P, privateKey);
    const [, body, sig] = good.split('.');
    const bad = [
      '',
      'onsale1',
      'onsale1..',
      `onsale2.${body}.${sig}`,
      `onsale1.${body}`,
      `onsale1.${body}.${sig}.x`,
      `onsale1.${body}!.${sig}`,
      `onsale1.${b64('not an object')}.${sig}`,
      `onsale1.${b64([1, 2])}.${sig}`,
      `onsale1.${b64({ ...P, v: 2 })}.${sig}`,
      `onsale1.${b64({ ...P, n: 0 })}.${sig}`,
      `onsale1.${b64({ ...P, n: 1.5 })}.${sig}`,
      `onsale1.${b64({ ...P, t: 7 })}.${sig}`,
      `onsale1.${Buffer.from('{"v":1,').toString('base64url')}.${sig}`,
      'x'.repeat(10_000),
      null as unknown as string,
    ];
    for (const s of bad)
      expect(verifyCredential(s, keys), String(s).slice(0, 40)).toEqual({ ok: false, reason: 'malformed' });
    // A signature of the wrong length is a bad signature, not an exception.
    expect(verifyCredential(`onsale1.${body}.AAAA`, keys)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('given extra fields in a payload, then they are not passed on', () => {
    const token = signCredential({ ...P, admin: true } as unknown as CredentialPayload, privateKey);
    const r = verifyCredential(token, keys);
    expect(r).toEqual({ ok: true, payload: P });
  });
});

describe('QR content', () => {
  it('given a credential, a step and a code, then they round-trip; malformed contents are null', () => {
    const token = signCredential(P, privateKey);
    const s = qrContent(token, 123456, '004211');
    expect(s).toBe(`${token}~123456~004211`);
    expect(parseQrContent(s)).toEqual({ credential: token, step: 123456, code: '004211' });
    for (const bad of [
      '',
      token,
      `${token}~1`,
      `${token}~x~123456`,
      `${token}~1~12345`,
      `~1~123456`,
      `${token}~1~123456~9`,
    ])
      expect(parseQrContent(bad), bad.slice(-20)).toBeNull();
  });
});

describe('the rotating code', () => {
  const secret = new Uint8Array(20).map((_, i) => i * 7 + 1);

  it("given the same secret, then it matches otpauth's own TOTP (SHA1, 6 digits, 15 s) at any time", () => {
    const totp = new TOTP({
      secret: new Secret({ buffer: secret.slice().buffer }),
      algorithm: 'SHA1',
      digits: 6,
      period: 15,
    });
    for (const ms of [0, 14_999, 15_000, 1_700_000_000_000, Date.now()]) {
      expect(rotatingCode(secret, stepAt(ms))).toBe(totp.generate({ timestamp: ms }));
    }
    expect(STEP_SECONDS).toBe(15);
  });

  it('given consecutive 15 s steps, then the code changes with the step and stays within one', () => {
    const t0 = 1_700_000_000_000 - (1_700_000_000_000 % 15_000);
    expect(stepAt(t0)).toBe(stepAt(t0 + 14_999));
    expect(stepAt(t0 + 15_000)).toBe(stepAt(t0) + 1);
    const codes = Array.from({ length: 20 }, (_, i) => rotatingCode(secret, stepAt(t0) + i));
    for (const c of codes) expect(c).toMatch(/^\d{6}$/);
    for (let i = 1; i < codes.length; i++) expect(codes[i]).not.toBe(codes[i - 1]);
  });

  it('given a code, then it passes at its step within ±1 step of now, and not beyond, nor for another secret or step', () => {
    const step = 113_333_333;
    const code = rotatingCode(secret, step);
    expect(checkRotatingCode(secret, step, code, step)).toBe(true);
    expect(checkRotatingCode(secret, step, code, step + 1)).toBe(true);
    expect(checkRotatingCode(secret, step, code, step - 1)).toBe(true);
    expect(checkRotatingCode(secret, step, code, step + 2)).toBe(false);
    expect(checkRotatingCode(secret, step, code, step - 2)).toBe(false);
    expect(checkRotatingCode(secret, step, code, step + 2, 2)).toBe(true);
    expect(checkRotatingCode(secret, step + 1, code, step)).toBe(false);
    expect(checkRotatingCode(new Uint8Array(20), step, code, step)).toBe(false);
    expect(checkRotatingCode(secret, step, '12345', step)).toBe(false);
    expect(checkRotatingCode(secret, -1, code, -1)).toBe(false);
  });
});
