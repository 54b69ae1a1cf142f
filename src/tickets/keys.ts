import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { nanoid } from 'nanoid';
import type { Db } from '../persistence/db.ts';

// Each event's Ed25519 signing keys. The first is made when the event's first credential is
// issued; an operator's rotation retires it and makes a new one, which signs from then on.
// Retired keys stay: credentials they signed keep verifying (a rotation reissues nothing).
//
// The private key is stored in the clear (PKCS#8 DER in event_keys). Encrypting it under a
// key the process holds would only move the secret to the configuration; whoever reads the
// database can sign tickets, so keep the database as private as the keys.

export interface EventKey {
  keyId: string;
  /** SPKI DER, base64url: what a scanner loads (createPublicKey({key, format: 'der', type: 'spki'})). */
  publicKey: string;
  createdAt: string;
  /** null: the key that signs now. */
  retiredAt: string | null;
}

interface KeyRow {
  key_id: string;
  public_key: Uint8Array;
  created_at: Date | string;
  retired_at: Date | string | null;
}

const iso = (d: Date | string): string => new Date(d).toISOString();

// Parsed keys by "event key": rows never change once written, so this needs no invalidation.
const publicCache = new Map<string, KeyObject>();
const privateCache = new Map<string, KeyObject>();
const CACHE_MAX = 10_000;

function remember(cache: Map<string, KeyObject>, key: string, make: () => KeyObject): KeyObject {
  let k = cache.get(key);
  if (!k) {
    if (cache.size >= CACHE_MAX) cache.clear();
    k = make();
    cache.set(key, k);
  }
  return k;
}

const der = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function newKeyRow(): { keyId: string; publicKey: Buffer; privateKey: Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    keyId: nanoid(12),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }),
  };
}

/**
 * The key that signs the event's credentials now, made if the event has none. Race-free: the
 * partial unique index lets one of two concurrent first uses insert; both then read it.
 * Usable inside a transaction (pass its tx).
 */
export async function signingKey(db: Db, eventId: string): Promise<{ keyId: string; privateKey: KeyObject }> {
  const read = () =>
    db.query<{ key_id: string; private_key: Uint8Array }>(
      'SELECT key_id, private_key FROM event_keys WHERE event_id = $1 AND retired_at IS NULL',
      [eventId],
    );
  let { rows } = await read();
  if (rows.length === 0) {
    const k = newKeyRow();
    await db.query(
      `INSERT INTO event_keys (event_id, key_id, public_key, private_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT (event_id) WHERE retired_at IS NULL DO NOTHING`,
      [eventId, k.keyId, k.publicKey, k.privateKey],
    );
    ({ rows } = await read());
  }
  const row = rows[0];
  const privateKey = remember(privateCache, `${eventId} ${row.key_id}`, () =>
    createPrivateKey({ key: der(row.private_key), format: 'der', type: 'pkcs8' }),
  );
  return { keyId: row.key_id, privateKey };
}

/** Every public key of the event (retired ones too), by key id: what verifyCredential takes. */
export async function eventPublicKeys(db: Db, eventId: string): Promise<Map<string, KeyObject>> {
  const { rows } = await db.query<{ key_id: string; public_key: Uint8Array }>(
    'SELECT key_id, public_key FROM event_keys WHERE event_id = $1',
    [eventId],
  );
  return new Map(
    rows.map((r) => [
      r.key_id,
      remember(publicCache, `${eventId} ${r.key_id}`, () =>
        createPublicKey({ key: der(r.public_key), format: 'der', type: 'spki' }),
      ),
    ]),
  );
}

/** The event's keys, oldest first, public halves only (for manifests and operators). */
export async function eventKeys(db: Db, eventId: string): Promise<EventKey[]> {
  const { rows } = await db.query<KeyRow>(
    `SELECT key_id, public_key, created_at, retired_at FROM event_keys WHERE event_id = $1
      ORDER BY created_at, key_id`,
    [eventId],
  );
  return rows.map((r) => ({
    keyId: r.key_id,
    publicKey: der(r.public_key).toString('base64url'),
    createdAt: iso(r.created_at),
    retiredAt: r.retired_at === null ? null : iso(r.retired_at),
  }));
}

/** Retires the signing key (if any) and makes a new one, in one transaction; the new key's id. */
export async function rotateKey(db: Db, eventId: string): Promise<string> {
  const k = newKeyRow();
  await db.transaction(async (tx) => {
    // Two rotations at once run one after the other (the second retires the first's key).
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('event_keys ' || $1))", [eventId]);
    await tx.query('UPDATE event_keys SET retired_at = now() WHERE event_id = $1 AND retired_at IS NULL', [
      eventId,
    ]);
    await tx.query(
      'INSERT INTO event_keys (event_id, key_id, public_key, private_key) VALUES ($1, $2, $3, $4)',
      [eventId, k.keyId, k.publicKey, k.privateKey],
    );
  });
  return k.keyId;
}
