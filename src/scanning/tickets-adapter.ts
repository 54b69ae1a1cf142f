import type { Db } from '../persistence/db.ts';
import { credentialOf, eventCredentials, revocationsOf } from '../tickets/credentials.ts';
import { eventPublicKeys, signingKey } from '../tickets/keys.ts';
import type { TicketCredentials } from './ports.ts';

// The tickets capability as scanning's port (ports.ts), from src/tickets' own functions. Three
// reads of its table src/tickets exports no function for are here, clearly marked: the current
// credential version of many tickets at once (an upload), the same as a SQL expression inside
// the scan's one statement (store.ts), and the event's issued credentials with their secrets
// (without issuing any, which eventCredentials would).

/** READS src/tickets ticket_credentials: the current version of ticket t (t.id). */
const CURRENT_VERSION_SQL = '(SELECT c.version FROM ticket_credentials c WHERE c.ticket_id = t.id)';

export const ticketCredentials: TicketCredentials = {
  async keys(db, eventId) {
    const [publicKeys, signing] = await Promise.all([eventPublicKeys(db, eventId), signingKey(db, eventId)]);
    // signingKey may have just made the event's first key: read the public ones again then.
    return {
      publicKeys: publicKeys.has(signing.keyId) ? publicKeys : await eventPublicKeys(db, eventId),
      signing,
    };
  },
  async revocations(db, eventId) {
    return (await revocationsOf(db, eventId)).map(
      (r) => [r.ticketId, r.version, r.reason] as [string, number, string],
    );
  },
  async secret(db, ticketId, version) {
    const c = await credentialOf(db, ticketId);
    return c && c.version === version ? c.secret : null;
  },
  async credentials(db, eventId) {
    return (await eventCredentials(db, eventId)).map((c) => ({
      ticketId: c.ticketId,
      version: c.version,
      credential: c.credential,
    }));
  },
  async issued(db, eventId) {
    // READS src/tickets ticket_credentials (the credentials already issued; none are issued here).
    const r = await db.query<{ ticket_id: string; version: number; secret: Uint8Array; credential: string }>(
      'SELECT ticket_id, version, secret, credential FROM ticket_credentials WHERE event_id = $1',
      [eventId],
    );
    return r.rows.map((x) => ({
      ticketId: x.ticket_id,
      version: x.version,
      secret: x.secret,
      credential: x.credential,
    }));
  },
  async versions(db: Db, ticketIds) {
    if (ticketIds.length === 0) return new Map();
    // READS src/tickets ticket_credentials.
    const r = await db.query<{ ticket_id: string; version: number }>(
      'SELECT ticket_id, version FROM ticket_credentials WHERE ticket_id = ANY($1::text[])',
      [ticketIds],
    );
    return new Map(r.rows.map((x) => [x.ticket_id, x.version]));
  },
  currentVersionSql: CURRENT_VERSION_SQL,
};
