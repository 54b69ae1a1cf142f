import { type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto';
import { HOTP, Secret } from 'otpauth';

// A ticket's credential and the code that rotates with it. Pure: no I/O, so the
// server that issues and the scanner that checks (offline too) share one definition.

export interface CredentialPayload {
  v: 1;
  /** The ticket id. */
  t: string;
  /** The event id: a scanner checks it against the event it is scanning for. */
  e: string;
  /** The seat label or, for a standing place, the item. */
  s: string;
  /** The credential's version, 1.. : a reissue bumps it and revokes the one before. */
  n: number;
  /** The id of the event key that signed it (rotation keeps old keys for verification). */
  k: string;
}

export type VerifyResult =
  | { ok: true; payload: CredentialPayload }
  | { ok: false; reason: 'malformed' | 'unknown_key' | 'bad_signature' };

const PREFIX = 'onsale1';

/**
 * "onsale1.<base64url(JSON payload)>.<base64url(ed25519 signature over the base64url payload string)>".
 * The signature covers the encoded string rather than re-serialised JSON, so a verifier
 * never depends on key order or whitespace of a JSON encoder.
 */
export function signCredential(p: CredentialPayload, privateKey: KeyObject): string {
  const body = Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');
  const signature = sign(null, Buffer.from(body, 'ascii'), privateKey).toString('base64url');
  return `${PREFIX}.${body}.${signature}`;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Parses and verifies against the event's public keys by key id; typed result, never throws on bad input. */
export function verifyCredential(token: string, publicKeys: ReadonlyMap<string, KeyObject>): VerifyResult {
  if (typeof token !== 'string' || token.length > 4096) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, reason: 'malformed' };
  const [, body, sig] = parts as [string, string, string];
  if (!B64URL.test(body) || !B64URL.test(sig)) return { ok: false, reason: 'malformed' };
  const payload = parsePayload(body);
  if (!payload) return { ok: false, reason: 'malformed' };
  const key = publicKeys.get(payload.k);
  if (!key) return { ok: false, reason: 'unknown_key' };
  let good = false;
  try {
    good = verify(null, Buffer.from(body, 'ascii'), key, Buffer.from(sig, 'base64url'));
  } catch {
    // A key of the wrong type or a signature of the wrong length: not a valid signature.
    good = false;
  }
  return good ? { ok: true, payload } : { ok: false, reason: 'bad_signature' };
}

function parsePayload(body: string): CredentialPayload | null {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  if (o.v !== 1) return null;
  if (typeof o.t !== 'string' || typeof o.e !== 'string' || typeof o.s !== 'string') return null;
  if (typeof o.k !== 'string' || o.t === '' || o.e === '' || o.k === '') return null;
  if (typeof o.n !== 'number' || !Number.isSafeInteger(o.n) || o.n < 1) return null;
  // Only the known fields: what a verifier returns is exactly what was signed for.
  return { v: 1, t: o.t, e: o.e, s: o.s, n: o.n, k: o.k };
}

/** The QR content: the credential plus the rotating code and its time step: "<credential>~<step>~<code>". */
export function qrContent(credential: string, step: number, code: string): string {
  return `${credential}~${step}~${code}`;
}

export function parseQrContent(s: string): { credential: string; step: number; code: string } | null {
  if (typeof s !== 'string') return null;
  const parts = s.split('~');
  if (parts.length !== 3) return null;
  const [credential, stepText, code] = parts as [string, string, string];
  if (credential === '' || !/^\d{1,15}$/.test(stepText) || !/^\d{6}$/.test(code)) return null;
  return { credential, step: Number(stepText), code };
}

/**
 * TOTP-style rotating code (RFC 6238: HMAC-SHA1, 6 digits, 15 s step) from a per-ticket secret.
 * The step is carried in the QR beside the code so a scanner need not trust its own clock
 * to find the counter, only to bound how far from now the step may be.
 */
export const STEP_SECONDS = 15;
const DIGITS = 6;

export function rotatingCode(secret: Uint8Array, step: number): string {
  // TOTP is HOTP with counter = floor(time / period): generating by step keeps step and code in one place.
  return HOTP.generate({
    secret: new Secret({ buffer: copyBuffer(secret) }),
    algorithm: 'SHA1',
    digits: DIGITS,
    counter: step,
  });
}

export function stepAt(ms: number): number {
  return Math.floor(ms / 1000 / STEP_SECONDS);
}

/** True when code matches `step` and step is within ±tolerance steps of `nowStep`. */
export function checkRotatingCode(
  secret: Uint8Array,
  step: number,
  code: string,
  nowStep: number,
  tolerance = 1,
): boolean {
  if (!Number.isSafeInteger(step) || step < 0 || typeof code !== 'string' || code.length !== DIGITS) {
    return false;
  }
  if (Math.abs(step - nowStep) > tolerance) return false;
  const expected = Buffer.from(rotatingCode(secret, step), 'ascii');
  const given = Buffer.from(code, 'ascii');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// otpauth wants an ArrayBuffer of exactly the secret (a Buffer's may be a slice of a pool).
function copyBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
