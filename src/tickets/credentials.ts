import { randomBytes } from 'node:crypto';
import type { Db } from '../persistence/db.ts';
import { type CredentialPayload, signCredential } from './credential.ts';
import { ticketNotFound, ticketNotValid } from './errors.ts';
import { signingKey } from './keys.ts';

// Each ticket's credential: issued when the ticket is first read (or when a scanner's
// manifest asks for the whole event's), reissued with the next version by an operator or a
// transfer. A reissue revokes the version before it in the same transaction, so there is
// never a moment when two versions of one ticket both admit.

/** Bytes of a ticket's rotating-code secret (HMAC-SHA1's block of output, RFC 4226's advice). */
const SECRET_BYTES = 20;

export interface CredentialRow {
  ticketId: string;
  eventId: string;
  version: number;
  /** The rotating code's secret (credential.ts: rotatingCode(secret, step)). */
  secret: Uint8Array;
  /** The signed token (credential.ts: verifyCredential). */
  credential: string;
  /** Who owns the ticket now (the order's buyer until a transfer). */
  ownerId: string;
  issuedAt: string;
}

export interface Revocation {
  ticketId: string;
  version: number;
  /** Why: the reissue's reason ("transfer", "posted online", …), or the ticket's status ("refunded", "cancelled"). */
  reason: string;
  /** null for a ticket that stopped being valid (refunded, cancelled): its current version is revoked. */
  revokedAt: string | null;
}

interface Row {
  ticket_id: string;
  event_id: string;
  version: number;
  secret: Uint8Array;
  credential: string;
  owner_id: string;
  issued_at: Date | string;
}

const COLUMNS = 'ticket_id, event_id, version, secret, credential, owner_id, issued_at';

const toRow = (r: Row): CredentialRow => ({
  ticketId: r.ticket_id,
  eventId: r.event_id,
  version: r.version,
  secret: r.secret,
  credential: r.credential,
  ownerId: r.owner_id,
  issuedAt: new Date(r.issued_at).toISOString(),
});

/** Signing many credentials (a manifest of a stadium) goes in slices: each is one statement. */
const SLICE = 1_000;

/**
 * Issues version 1 to the valid tickets of the event that have no credential yet: those
 * named, or all of them when none are. Concurrent calls are safe (the second insert of a
 * ticket does nothing). Returns how many were issued.
 */
export async function ensureCredentials(db: Db, eventId: string, ticketIds?: string[]): Promise<number> {
  const { rows } = await db.query<{ id: string; label: string; fan_id: string }>(
    `SELECT t.id, t.label, o.fan_id FROM tickets t JOIN orders o ON o.id = t.order_id
      WHERE t.event_id = $1 AND t.status = 'valid' AND ($2::text[] IS NULL OR t.id = ANY($2::text[]))
        AND NOT EXISTS (SELECT 1 FROM ticket_credentials c WHERE c.ticket_id = t.id)`,
    [eventId, ticketIds ?? null],
  );
  if (rows.length === 0) return 0;
  const key = await signingKey(db, eventId);
  let issued = 0;
  for (let i = 0; i < rows.length; i += SLICE) {
    const slice = rows.slice(i, i + SLICE);
    const secrets = slice.map(() => randomBytes(SECRET_BYTES));
    const credentials = slice.map((t) =>
      signCredential({ v: 1, t: t.id, e: eventId, s: t.label, n: 1, k: key.keyId }, key.privateKey),
    );
    const r = await db.query(
      `INSERT INTO ticket_credentials (ticket_id, event_id, version, secret, credential, owner_id)
       SELECT c.id, $2, 1, decode(c.secret, 'hex'), c.credential, c.owner
         FROM unnest($1::text[], $3::text[], $4::text[], $5::text[]) AS c(id, secret, credential, owner)
       ON CONFLICT (ticket_id) DO NOTHING`,
      [
        slice.map((t) => t.id),
        eventId,
        secrets.map((s) => s.toString('hex')),
        credentials,
        slice.map((t) => t.fan_id),
      ],
    );
    issued += r.rowCount;
  }
  return issued;
}

/** The ticket's current credential, or null (never issued: the ticket was not read yet, or is void). */
export async function credentialOf(db: Db, ticketId: string): Promise<CredentialRow | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM ticket_credentials WHERE ticket_id = $1`, [
    ticketId,
  ]);
  return rows[0] ? toRow(rows[0]) : null;
}

/**
 * The current credentials of the event's valid tickets (issued first where missing): what an
 * offline scanner needs, secrets included, to check the rotating codes without the server.
 */
export async function eventCredentials(db: Db, eventId: string): Promise<CredentialRow[]> {
  await ensureCredentials(db, eventId);
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS.split(', ')
      .map((c) => `c.${c}`)
      .join(', ')}
       FROM ticket_credentials c JOIN tickets t ON t.id = c.ticket_id
      WHERE c.event_id = $1 AND t.status = 'valid' ORDER BY c.ticket_id`,
    [eventId],
  );
  return rows.map(toRow);
}

/**
 * The event's revoked (ticket, version) pairs: every version a reissue or transfer replaced,
 * and the current version of every ticket that stopped being valid (refunded, cancelled).
 * Oldest first; the void tickets' rows (revokedAt null) last.
 */
export async function revocationsOf(db: Db, eventId: string): Promise<Revocation[]> {
  const { rows } = await db.query<{
    ticket_id: string;
    version: number;
    reason: string;
    revoked_at: Date | string | null;
  }>(
    `SELECT ticket_id, version, reason, revoked_at FROM (
       SELECT ticket_id, version, reason, revoked_at, 0 AS part FROM revocations WHERE event_id = $1
       UNION ALL
       SELECT c.ticket_id, c.version, t.status, NULL, 1 FROM ticket_credentials c
         JOIN tickets t ON t.id = c.ticket_id
        WHERE c.event_id = $1 AND t.status <> 'valid'
     ) r ORDER BY part, revoked_at, ticket_id, version`,
    [eventId],
  );
  return rows.map((r) => ({
    ticketId: r.ticket_id,
    version: r.version,
    reason: r.reason,
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString(),
  }));
}

/**
 * Reissues the ticket's credential inside `tx`: version n+1 with a new secret, signed by the
 * event's current key, and version n on the revocation list. `ownerId` moves the ticket to
 * another owner at the same time (a transfer). The ticket must be valid and its credential
 * issued (ensureCredentials); the row is locked for the rest of the transaction.
 */
export async function reissueIn(
  tx: Db,
  ticketId: string,
  reason: string,
  ownerId?: string,
): Promise<{ before: CredentialRow; after: CredentialRow }> {
  const { rows } = await tx.query<Row & { status: string; label: string }>(
    `SELECT ${COLUMNS.split(', ')
      .map((c) => `c.${c}`)
      .join(', ')}, t.status, t.label
       FROM ticket_credentials c JOIN tickets t ON t.id = c.ticket_id
      WHERE c.ticket_id = $1 FOR UPDATE OF c`,
    [ticketId],
  );
  const cur = rows[0];
  if (!cur) throw ticketNotFound(ticketId);
  if (cur.status !== 'valid') throw ticketNotValid(ticketId, cur.status);
  const key = await signingKey(tx, cur.event_id);
  const version = cur.version + 1;
  const payload: CredentialPayload = {
    v: 1,
    t: ticketId,
    e: cur.event_id,
    s: cur.label,
    n: version,
    k: key.keyId,
  };
  const credential = signCredential(payload, key.privateKey);
  const secret = randomBytes(SECRET_BYTES);
  await tx.query(
    `INSERT INTO revocations (event_id, ticket_id, version, reason) VALUES ($1, $2, $3, $4)
     ON CONFLICT (ticket_id, version) DO NOTHING`,
    [cur.event_id, ticketId, cur.version, reason],
  );
  const { rows: updated } = await tx.query<Row>(
    `UPDATE ticket_credentials SET version = $2, secret = $3, credential = $4,
            owner_id = coalesce($5, owner_id), issued_at = now()
      WHERE ticket_id = $1 RETURNING ${COLUMNS}`,
    [ticketId, version, secret, credential, ownerId ?? null],
  );
  return { before: toRow(cur), after: toRow(updated[0]) };
}

/** reissueIn in a transaction of its own (issuing version 1 first if the ticket had none). */
export async function reissue(
  db: Db,
  eventId: string,
  ticketId: string,
  reason: string,
): Promise<CredentialRow> {
  await ensureCredentials(db, eventId, [ticketId]);
  return (await db.transaction((tx) => reissueIn(tx, ticketId, reason))).after;
}
