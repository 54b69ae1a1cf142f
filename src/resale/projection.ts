import type { DurableSubscriber, EventBatch } from '../actors/commit-stream.ts';
import { readCheckpoint, writeCheckpoint } from '../persistence/checkpoints.ts';
import type { Db } from '../persistence/db.ts';
import { reissueIn } from '../tickets/credentials.ts';
import { closeListing, recordListing } from './listings.ts';
import type { ResaleEvents } from './ports.ts';

// The resale market's view of the journal, a durable commit-stream subscriber: listings open
// and close with the seat map's resale events, and a sale (SeatsTransferred with a sale)
// closes its listing as sold, records the seller's payout and reissues the ticket's
// credential to the buyer (the seller's stops admitting). Each batch is applied in one
// transaction with the checkpoint: exactly once after any crash.

export const SUBSCRIBER = 'resale';

const CHECKPOINT_EVERY = 5_000;

export class ResaleProjection implements DurableSubscriber {
  readonly name = SUBSCRIBER;
  private readonly written = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly events: ResaleEvents,
  ) {}

  async checkpoint(eventId: string): Promise<number> {
    const v = await readCheckpoint(this.db, SUBSCRIBER, eventId);
    this.written.set(eventId, v);
    return v;
  }

  async apply(batch: EventBatch): Promise<void> {
    const { eventId } = batch;
    const relevant = batch.entries.filter(
      ({ event: e }) =>
        e.type === 'ResaleListed' ||
        e.type === 'ResaleWithdrawn' ||
        (e.type === 'SeatsTransferred' && e.sale !== undefined) ||
        e.type === 'BookingCancelled',
    );
    if (relevant.length === 0 && batch.toVersion - (this.written.get(eventId) ?? 0) < CHECKPOINT_EVERY)
      return;
    // The layout before the transaction (PGlite: a read outside it would wait for ever).
    const layout = relevant.length > 0 ? (await this.events.need(eventId)).layout : null;
    await this.db.transaction(async (tx) => {
      for (const { event: e } of relevant) {
        if (e.type === 'ResaleListed')
          await recordListing(tx, {
            id: e.listingId,
            eventId,
            seat: e.seats[0],
            item: layout!.seatIds[e.seats[0]],
            sellerId: e.fanId,
            price: e.price,
          });
        else if (e.type === 'ResaleWithdrawn') await closeListing(tx, e.listingId);
        else if (e.type === 'SeatsTransferred' && e.sale) await sold(tx, e.sale, e.toFanId);
        else if (e.type === 'BookingCancelled' && e.seats.length > 0)
          // A refunded or cancelled ticket's listing goes with it.
          await tx.query(
            `UPDATE resale_listings SET status = 'withdrawn', closed_at = now()
              WHERE event_id = $1 AND seat = ANY($2::int[]) AND status = 'listed'`,
            [eventId, e.seats],
          );
      }
      await writeCheckpoint(tx, SUBSCRIBER, eventId, batch.toVersion);
    });
    this.written.set(eventId, batch.toVersion);
  }
}

async function sold(tx: Db, sale: { listingId: string; orderId: string }, buyerId: string): Promise<void> {
  const { rows } = await tx.query<{ ticket_id: string; seller_id: string; price: number; currency: string }>(
    `UPDATE resale_listings SET status = 'sold', order_id = $2, closed_at = now()
      WHERE id = $1 AND status <> 'sold' RETURNING ticket_id, seller_id, price, currency`,
    [sale.listingId, sale.orderId],
  );
  const l = rows[0];
  if (!l) return;
  await tx.query(
    `INSERT INTO resale_payouts (listing_id, seller_id, order_id, amount, currency)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (listing_id) DO NOTHING`,
    [sale.listingId, l.seller_id, sale.orderId, l.price, l.currency],
  );
  await reissueIn(tx, l.ticket_id, 'resale', buyerId);
}
