// The classic checkout (the seed's design, and pretix's): the seat map lives in the database,
// one row per seat, and every order is one transaction that locks its seats, checks them,
// marks them sold and writes the order, its lines and its tickets. The `checkout` bench runs
// it next to the onsale server on the same database server, in a schema of its own, so the
// two designs are measured on the same machine at the same time.
import type { Db } from '../../src/persistence/db.ts';

export const CLASSIC_SCHEMA = `
  CREATE TABLE seats (
    event_id text NOT NULL,
    seat_id text NOT NULL,
    status text NOT NULL DEFAULT 'available',
    order_id text,
    PRIMARY KEY (event_id, seat_id)
  );
  CREATE TABLE orders (
    id text PRIMARY KEY,
    fan text NOT NULL,
    total integer NOT NULL,
    status text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE order_lines (
    order_id text NOT NULL REFERENCES orders (id),
    seat_id text NOT NULL,
    price integer NOT NULL
  );
  CREATE INDEX order_lines_order ON order_lines (order_id);
  CREATE TABLE tickets (
    id text PRIMARY KEY,
    order_id text NOT NULL REFERENCES orders (id),
    seat_id text NOT NULL
  );
  CREATE INDEX tickets_order ON tickets (order_id);
`;

/** Creates the tables and one available row per seat of the chart. */
export async function createClassic(db: Db, eventId: string, seatIds: string[]): Promise<void> {
  await db.exec(CLASSIC_SCHEMA);
  for (let i = 0; i < seatIds.length; i += 10_000) {
    await db.query('INSERT INTO seats (event_id, seat_id) SELECT $1, unnest($2::text[])', [
      eventId,
      seatIds.slice(i, i + 10_000),
    ]);
  }
  await db.exec('ANALYZE');
}

/** A seat of the order was not there or not available: the order is refused, nothing written. */
export class SeatConflict extends Error {
  override name = 'SeatConflict';
}

export interface ClassicOrder {
  id: string;
  fan: string;
  seats: string[];
  /** Price of each seat, in minor units. */
  prices: number[];
}

/**
 * One order, one transaction: SELECT … FOR UPDATE the seats, check every one is available,
 * mark them sold, insert the order, its lines and its tickets, commit. Throws SeatConflict
 * (after the rollback) when a seat was taken.
 */
export async function classicCheckout(db: Db, eventId: string, o: ClassicOrder): Promise<void> {
  await db.transaction(async (tx) => {
    const locked = await tx.query<{ seat_id: string; status: string }>(
      'SELECT seat_id, status FROM seats WHERE event_id = $1 AND seat_id = ANY($2) FOR UPDATE',
      [eventId, o.seats],
    );
    if (locked.rows.length !== o.seats.length || locked.rows.some((r) => r.status !== 'available'))
      throw new SeatConflict(`order ${o.id}: a seat is not available`);
    await tx.query(
      "UPDATE seats SET status = 'sold', order_id = $3 WHERE event_id = $1 AND seat_id = ANY($2)",
      [eventId, o.seats, o.id],
    );
    const total = o.prices.reduce((a, b) => a + b, 0);
    await tx.query("INSERT INTO orders (id, fan, total, status) VALUES ($1, $2, $3, 'paid')", [
      o.id,
      o.fan,
      total,
    ]);
    await tx.query(
      'INSERT INTO order_lines (order_id, seat_id, price) SELECT $1, unnest($2::text[]), unnest($3::int[])',
      [o.id, o.seats, o.prices],
    );
    await tx.query(
      'INSERT INTO tickets (id, order_id, seat_id) SELECT unnest($1::text[]), $2, unnest($3::text[])',
      [o.seats.map((_, k) => `${o.id}-t${k}`), o.id, o.seats],
    );
  });
}

/** What the classic tables say after a run: orders, tickets, and seats with more than one ticket. */
export async function classicTally(
  db: Db,
): Promise<{ orders: number; tickets: number; soldSeats: number; seatsSoldTwice: number }> {
  const n = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]?.n ?? 0);
  return {
    orders: await n("SELECT count(*)::int AS n FROM orders WHERE status = 'paid'"),
    tickets: await n('SELECT count(*)::int AS n FROM tickets'),
    soldSeats: await n("SELECT count(*)::int AS n FROM seats WHERE status = 'sold'"),
    seatsSoldTwice: await n(
      'SELECT count(*)::int AS n FROM (SELECT seat_id FROM tickets GROUP BY seat_id HAVING count(*) > 1) x',
    ),
  };
}
