import type { Db } from '../persistence/db.ts';
import { notFound } from './errors.ts';

// Who may buy during an event's presale: the fans an operator invited, by account email.
// The hold path asks for every hold, so each event's list is kept in memory once read and
// dropped when the operator changes it.

export const MAX_INVITATIONS = 100_000;

export class PresaleLists {
  private cache = new Map<string, Promise<Set<string>>>();

  constructor(private readonly db: Db) {}

  /** Replaces the event's list (emails trimmed and lower-cased); returns its size. */
  async replace(eventId: string, emails: string[]): Promise<number> {
    const unique = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
    await this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query('SELECT 1 FROM events WHERE id = $1 FOR UPDATE', [eventId]);
      if (rowCount === 0) throw notFound('event', eventId);
      await tx.query('DELETE FROM presale_invitations WHERE event_id = $1', [eventId]);
      if (unique.length > 0) {
        await tx.query('INSERT INTO presale_invitations (event_id, email) SELECT $1, unnest($2::text[])', [
          eventId,
          unique,
        ]);
      }
    });
    this.cache.delete(eventId);
    return unique.length;
  }

  /** A page of the list, alphabetical, with its size. */
  async list(eventId: string, page: number, pageSize: number): Promise<{ total: number; emails: string[] }> {
    const { rows } = await this.db.query<{ email: string; total: number }>(
      `SELECT email, count(*) OVER () AS total FROM presale_invitations
        WHERE event_id = $1 ORDER BY email LIMIT $2 OFFSET $3`,
      [eventId, pageSize, (page - 1) * pageSize],
    );
    return { total: rows[0]?.total ?? 0, emails: rows.map((r) => r.email) };
  }

  /** Is this account's email on the event's list? */
  async invited(eventId: string, email: string): Promise<boolean> {
    let set = this.cache.get(eventId);
    if (!set) {
      set = this.db
        .query<{ email: string }>('SELECT email FROM presale_invitations WHERE event_id = $1', [eventId])
        .then((r) => new Set(r.rows.map((x) => x.email)));
      set.catch(() => this.cache.delete(eventId));
      this.cache.set(eventId, set);
    }
    return (await set).has(email.trim().toLowerCase());
  }
}
