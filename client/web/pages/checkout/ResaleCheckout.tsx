// Buying a resale listing (/checkout?event=E&listing=L): the offer, then the same payment
// step as held seats; without a listing, the event's offers to choose from.
import { useState } from 'preact/hooks';
import type { Order } from '../../../sdk/box-office.ts';
import { checkout, type PaymentInfo } from '../../../sdk/checkout.ts';
import { eventListings, type Listing } from '../../../sdk/resale.ts';
import { http } from '../../lib/api.ts';
import { money } from '../../lib/format.ts';
import { Link } from '../../lib/navigation.tsx';
import { href } from '../../lib/routes.ts';
import { useLoad } from '../../lib/use-load.ts';
import { attemptKey } from './attempt.ts';
import { checkoutError } from './errors.ts';
import { done, PayStep } from './PayStep.tsx';

export const listingHref = (l: Pick<Listing, 'eventId' | 'id'>) =>
  `/checkout?event=${encodeURIComponent(l.eventId)}&listing=${encodeURIComponent(l.id)}`;

/** The event's resale offers, cheapest first, each a link to buy it. */
export function ResaleOffers({ eventId }: { eventId: string }) {
  const offers = useLoad(() => eventListings(http(), eventId), [eventId]);
  const open = (offers.data ?? []).filter((l) => l.status === 'listed' && !l.reservedUntil);
  if (offers.error || open.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="resale-offers">
      <h2 id="resale-offers">Resale tickets</h2>
      <ul class="offers">
        {open.map((l) => (
          <li key={l.id}>
            {l.label} <span class="muted">({l.category})</span>: {money(l.price, l.currency)}{' '}
            <Link href={listingHref(l)} aria-label={`Buy ${l.label} for ${money(l.price, l.currency)}`}>
              Buy
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ResaleCheckout({
  eventId,
  listingId,
  name,
}: {
  eventId: string;
  listingId: string;
  name: string;
}) {
  const offers = useLoad(() => eventListings(http(), eventId), [eventId]);
  const listing = offers.data?.find((l) => l.id === listingId) ?? null;
  const [placed, setPlaced] = useState<{ order: Order; payment: PaymentInfo | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const buy = async () => {
    const body = { eventId, listingId };
    setBusy(true);
    setError(null);
    try {
      const r = await checkout(http(), body, attemptKey(body));
      if (!r.payment || r.order.status === 'paid') return done(r.order);
      setPlaced(r);
    } catch (e) {
      setError(checkoutError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="panel event-checkout" aria-labelledby="co-resale">
      <h2 id="co-resale">
        Resale ticket: <Link href={href.event(eventId)}>{name}</Link>
      </h2>
      {placed ? (
        <PayStep order={placed.order} payment={placed.payment} />
      ) : offers.loading ? (
        <p>Reading the offer…</p>
      ) : listing?.status !== 'listed' ? (
        <p class="error" role="alert">
          {offers.error ?? 'This resale ticket is no longer on offer.'}{' '}
          <Link href={href.event(eventId)}>Back to the event</Link>
        </p>
      ) : (
        <>
          <p>
            <strong>{listing.label}</strong> <span class="muted">({listing.category})</span>, offered by
            another fan for <strong>{money(listing.price, listing.currency)}</strong> (fees and tax are added
            on the next step).
          </p>
          <button type="button" disabled={busy} onClick={buy}>
            {busy ? 'Pricing…' : 'Continue to payment'}
          </button>
        </>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
