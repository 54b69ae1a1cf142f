import type { KeyObject } from 'node:crypto';
import type { Db } from '../persistence/db.ts';

// What scanning needs from the tickets capability (src/tickets), as one narrow port: the
// event's keys, its revocation list, and each ticket's current credential version and secret.
// server.ts wires it from src/tickets' own functions; the tests pass their own.

export interface EventKeys {
  /** Every key of the event that still verifies credentials, by key id. */
  publicKeys: ReadonlyMap<string, KeyObject>;
  /** The key that signs now (the manifest is signed with it); null if the event has none yet. */
  signing: { keyId: string; privateKey: KeyObject } | null;
}

export interface TicketCredentials {
  keys(db: Db, eventId: string): Promise<EventKeys>;
  /** Revoked credentials of the event: [ticket id, version, reason] (reason 'refunded' / 'cancelled' for void tickets). */
  revocations(db: Db, eventId: string): Promise<[string, number, string][]>;
  /** The rotating-code secret of a ticket's credential version (null: no such credential). */
  secret(db: Db, ticketId: string, version: number): Promise<Uint8Array | null>;
  /** The current credential of every valid ticket of the event (issued where missing), for the manifest. */
  credentials(db: Db, eventId: string): Promise<{ ticketId: string; version: number; credential: string }[]>;
  /**
   * Every credential issued for the event now (its current version), with its secret: the
   * scanner's memory of them, so that a scan of a current credential needs no signature check.
   */
  issued(
    db: Db,
    eventId: string,
  ): Promise<{ ticketId: string; version: number; secret: Uint8Array; credential: string }[]>;
  /** Current credential version of each of these tickets (absent: none issued yet). */
  versions(db: Db, ticketIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * A SQL expression for the current credential version of the ticket whose id is the column
   * `t.id` (t: the orders' tickets table), for the scan's one statement; null when the version
   * cannot be read in SQL (it is then checked from versions() before the statement).
   */
  currentVersionSql: string | null;
}
