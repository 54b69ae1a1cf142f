import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { parseQrContent, verifyCredential } from '../tickets/credential.ts';

// The offline manifest and the check a scanner app runs with it when the network is gone.
// Pure: no I/O, no clock (the caller passes `now`), so the server that signs the manifest and
// the app that checks scans share one definition.
//
// A manifest is what a gate needs to admit tickets on its own: the event's public keys (every
// key that still verifies, by key id), the revoked credentials (ticket id, version), every
// ticket with its current credential version and seat label, and when it was issued. It is
// signed with the event's current key, so a manifest copied between devices or kept on one
// cannot be edited (a revocation dropped, a ticket added) without the signature failing.
//
// There are no per-ticket secrets in it, so the rotating code is not checked offline: the
// secrets make the codes, and a manifest holding every ticket's secret would let whoever gets
// one scanner device (or its storage) make a fresh code for any ticket of the event. Offline,
// a screenshot therefore passes once at each disconnected gate; the upload's reconciliation
// (first scan in time wins, every later one is reported as a duplicate) is what catches it.

export const MANIFEST_PREFIX = 'onsalemanifest1';
/** How long a manifest is good for after it was issued (a scanner fetches a fresh one hourly). */
export const MANIFEST_TTL_MS = 24 * 60 * 60 * 1000;

export interface ManifestBody {
  v: 1;
  eventId: string;
  /** ISO time the server made it. */
  issuedAt: string;
  /** ISO time after which verifyOffline refuses it (manifest_expired). */
  validUntil: string;
  /** The key that signs the manifest: one of publicKeys. */
  keyId: string;
  /** Every public key of the event that verifies credentials: key id -> SPKI DER, base64url. */
  publicKeys: Record<string, string>;
  /** Revoked credentials: [ticket id, version]. */
  revoked: [string, number][];
  /** Valid tickets: [ticket id, current credential version, seat label, digest of the current credential]. */
  tickets: ManifestTicket[];
}

/**
 * [ticket id, version, seat label, credentialDigest(current credential)]. The digest lets a
 * gate recognise the exact credential the server issued without checking its Ed25519
 * signature again: the manifest's own signature (checked once, when it is opened) vouches for
 * every digest in it. A credential whose digest is not listed gets the full check.
 */
export type ManifestTicket = [string, number, string, string];

/** The first 16 bytes of SHA-256 of the credential token, base64url. */
export function credentialDigest(credential: string): string {
  return createHash('sha256').update(credential).digest().subarray(0, 16).toString('base64url');
}

/** As served: the body exactly as signed (base64url JSON) and the Ed25519 signature over that string. */
export interface SignedManifest {
  format: typeof MANIFEST_PREFIX;
  keyId: string;
  body: string;
  signature: string;
}

/** A manifest opened (its signature checked) and indexed for fast checks. */
export interface OfflineManifest {
  body: ManifestBody;
  eventId: string;
  validUntilMs: number;
  keys: ReadonlyMap<string, KeyObject>;
  /** ticket id -> [current version, seat label] */
  tickets: ReadonlyMap<string, readonly [number, string]>;
  /** credentialDigest(current credential) -> ticket id */
  digests: ReadonlyMap<string, string>;
  /** `${ticketId}:${version}` */
  revoked: ReadonlySet<string>;
}

export type OfflineResult =
  | { ok: true; ticketId: string; version: number; seat: string }
  | {
      ok: false;
      reason:
        | 'malformed'
        | 'unknown_key'
        | 'bad_signature'
        | 'wrong_event'
        | 'unknown_ticket'
        | 'superseded'
        | 'revoked'
        | 'manifest_expired';
      ticketId?: string;
    };

export function spkiOf(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64url');
}

/** Signs a manifest body with the event's current private key. */
export function signManifest(body: ManifestBody, privateKey: KeyObject): SignedManifest {
  const text = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  const signature = sign(null, Buffer.from(text, 'ascii'), privateKey).toString('base64url');
  return { format: MANIFEST_PREFIX, keyId: body.keyId, body: text, signature };
}

/**
 * Checks a served manifest's signature and indexes it. `trusted`: the keys the app already
 * trusts for the event (from an earlier manifest, or pinned when it was set up); without it, the
 * manifest's own keys are used, which proves it was not altered after signing, not who signed
 * it (the app got it over an authenticated TLS connection from the server).
 */
export function openManifest(
  signed: SignedManifest,
  trusted?: ReadonlyMap<string, KeyObject>,
):
  | { ok: true; manifest: OfflineManifest }
  | { ok: false; reason: 'malformed' | 'unknown_key' | 'bad_signature' } {
  if (
    typeof signed !== 'object' ||
    signed === null ||
    signed.format !== MANIFEST_PREFIX ||
    typeof signed.body !== 'string' ||
    typeof signed.signature !== 'string'
  )
    return { ok: false, reason: 'malformed' };
  let body: ManifestBody;
  try {
    body = JSON.parse(Buffer.from(signed.body, 'base64url').toString('utf8')) as ManifestBody;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (
    body?.v !== 1 ||
    typeof body.eventId !== 'string' ||
    typeof body.keyId !== 'string' ||
    body.keyId !== signed.keyId ||
    typeof body.publicKeys !== 'object' ||
    body.publicKeys === null ||
    !Array.isArray(body.revoked) ||
    !Array.isArray(body.tickets) ||
    Number.isNaN(Date.parse(body.validUntil))
  )
    return { ok: false, reason: 'malformed' };
  const keys = new Map<string, KeyObject>();
  try {
    for (const [id, der] of Object.entries(body.publicKeys))
      keys.set(id, createPublicKey({ key: Buffer.from(der, 'base64url'), format: 'der', type: 'spki' }));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const signer = (trusted ?? keys).get(body.keyId);
  if (!signer) return { ok: false, reason: 'unknown_key' };
  let good = false;
  try {
    good = verify(
      null,
      Buffer.from(signed.body, 'ascii'),
      signer,
      Buffer.from(signed.signature, 'base64url'),
    );
  } catch {
    good = false;
  }
  if (!good) return { ok: false, reason: 'bad_signature' };
  const tickets = new Map<string, readonly [number, string]>();
  const digests = new Map<string, string>();
  for (const [t, n, s, d] of body.tickets) {
    tickets.set(t, [n, s]);
    if (typeof d === 'string') digests.set(d, t);
  }
  const revoked = new Set(body.revoked.map(([t, n]) => `${t}:${n}`));
  return {
    ok: true,
    manifest: {
      body,
      eventId: body.eventId,
      validUntilMs: Date.parse(body.validUntil),
      keys,
      tickets,
      digests,
      revoked,
    },
  };
}

/**
 * What a gate without network decides for one QR code: the credential's signature against the
 * manifest's keys (or, faster, its digest among the manifest's current credentials), the event, the ticket known with this credential version as its current one,
 * and not revoked. `now` (ms) only bounds the manifest's age. The rotating code in the QR is
 * parsed but not checked (see above); the duplicate check is the app's own list of what it
 * scanned plus the upload's reconciliation.
 */
export function verifyOffline(manifest: OfflineManifest, qrContent: string, now: number): OfflineResult {
  if (now > manifest.validUntilMs) return { ok: false, reason: 'manifest_expired' };
  const qr = parseQrContent(qrContent);
  if (!qr) return { ok: false, reason: 'malformed' };
  // The credential the manifest lists as a ticket's current one: valid, no signature check.
  const listed = manifest.digests.get(credentialDigest(qr.credential));
  if (listed !== undefined) {
    const [version, seat] = manifest.tickets.get(listed)!;
    if (!manifest.revoked.has(`${listed}:${version}`)) return { ok: true, ticketId: listed, version, seat };
  }
  const v = verifyCredential(qr.credential, manifest.keys);
  if (!v.ok) return { ok: false, reason: v.reason };
  const p = v.payload;
  if (p.e !== manifest.eventId) return { ok: false, reason: 'wrong_event', ticketId: p.t };
  if (manifest.revoked.has(`${p.t}:${p.n}`)) return { ok: false, reason: 'revoked', ticketId: p.t };
  const known = manifest.tickets.get(p.t);
  if (!known) return { ok: false, reason: 'unknown_ticket', ticketId: p.t };
  if (known[0] !== p.n)
    return { ok: false, reason: known[0] > p.n ? 'superseded' : 'unknown_ticket', ticketId: p.t };
  return { ok: true, ticketId: p.t, version: p.n, seat: known[1] };
}
