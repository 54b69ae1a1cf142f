import type { Logger } from 'pino';
import type { Db } from '../persistence/db.ts';
import type { EventStatus } from './schema.ts';

// Presale and general on-sale times act: at an event's presale time it moves from scheduled
// to presale, at its on-sale time from scheduled or presale to on_sale — through the same
// status change an operator makes. Due moves are made at start-up too, so an on-sale time
// passed while the server was down takes effect at once. A move an operator made first
// (a paused or cancelled event) is left alone: only scheduled and presale events move.

/** The longest sleep: times edited meanwhile are picked up within it. */
const MAX_SLEEP_MS = 60_000;

export interface DueMove {
  id: string;
  to: EventStatus;
}

/** Events whose presale or on-sale time has come, and where each goes. */
export async function dueMoves(db: Db, now: Date): Promise<DueMove[]> {
  const { rows } = await db.query<{ id: string; to: EventStatus }>(
    `SELECT id, CASE WHEN on_sale_at IS NOT NULL AND on_sale_at <= $1 THEN 'on_sale' ELSE 'presale' END AS to
       FROM events
      WHERE least(presale_at, on_sale_at) <= $1
        AND ((status = 'scheduled' AND (presale_at <= $1 OR on_sale_at <= $1))
          OR (status = 'presale' AND on_sale_at <= $1))
      ORDER BY least(presale_at, on_sale_at), id`,
    [now],
  );
  return rows;
}

/** The next presale or on-sale time still ahead, if any. */
export async function nextMoveAt(db: Db, now: Date): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT min(t) AS at FROM (
       SELECT presale_at AS t FROM events WHERE status = 'scheduled' AND presale_at > $1
       UNION ALL
       SELECT on_sale_at FROM events WHERE status IN ('scheduled', 'presale') AND on_sale_at > $1
     ) due`,
    [now],
  );
  return rows[0]?.at ? new Date(rows[0].at) : null;
}

export class SaleClock {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly db: Db,
    /** Makes the move (the catalog's status change: store, actor, waiting room). */
    private readonly move: (id: string, to: EventStatus) => Promise<unknown>,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Makes every due move, then sleeps until the next one. */
  tick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let sleep = MAX_SLEEP_MS;
    try {
      for (const m of await dueMoves(this.db, this.now())) {
        try {
          await this.move(m.id, m.to);
          this.log.info({ event: m.id, status: m.to }, 'sale time reached');
        } catch (err) {
          // Refused (an operator moved it meanwhile) or the actor was busy: the next tick tries again.
          this.log.warn({ err, event: m.id, status: m.to }, 'sale time reached, move failed');
        }
      }
      const next = await nextMoveAt(this.db, this.now());
      if (next) sleep = Math.max(0, Math.min(sleep, next.getTime() - this.now().getTime()));
    } catch (err) {
      this.log.warn({ err }, 'sale clock failed; retrying');
      sleep = 1000;
    }
    if (!this.closed) {
      this.timer = setTimeout(() => this.tick(), sleep + 5);
      this.timer.unref();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
