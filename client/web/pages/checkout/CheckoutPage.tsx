// Checkout: the fan's live holds per event, a promo code, the order as the server prices it
// (tickets, discount, fees, tax), the simulated card form, then on to the order. Each attempt
// has its Idempotency-Key (attempt.ts), so retrying never places a second order.
import { useEffect, useState } from 'preact/hooks';
import { type Order, searchOrders } from '../../../sdk/box-office.ts';
import { type CheckoutRequest, checkout, type PaymentInfo } from '../../../sdk/checkout.ts';
import { ApiError, type MyHold } from '../../../sdk/index.ts';
import { SignInPrompt } from '../../layout/SignInPrompt.tsx';
import { errorMessage, http } from '../../lib/api.ts';
import { countdown } from '../../lib/format.ts';
import { Link, useLocation } from '../../lib/navigation.tsx';
import { href } from '../../lib/routes.ts';
import { useSession } from '../../lib/session.ts';
import { useNow } from '../../lib/use-now.ts';
import { attemptKey } from './attempt.ts';
import { checkoutError } from './errors.ts';
import { done, PayStep } from './PayStep.tsx';
import { ResaleCheckout, ResaleOffers } from './ResaleCheckout.tsx';

export function CheckoutPage() {
  const session = useSession();
  const { query } = useLocation();
  const focus = query.get('event');
  const listing = query.get('listing');
  const [holds, setHolds] = useState<MyHold[] | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!session) return;
    http()
      .holds()
      .then(
        (r) => {
          setHolds(r.holds);
          for (const id of new Set([...r.holds.map((h) => h.eventId), ...(focus ? [focus] : [])]))
            http()
              .event(id)
              .then(
                (e) => setNames((n) => ({ ...n, [id]: String(e.name) })),
                () => {},
              );
        },
        (e) => setError(errorMessage(e)),
      );
  }, [session?.token, focus]);

  if (!session)
    return <SignInPrompt title="Checkout" why="Sign in to pay for the seats you hold." next="/checkout" />;

  const byEvent = new Map<string, MyHold[]>();
  // The event the fan came from (?event=) first.
  const sorted = [...(holds ?? [])].sort((a, b) => Number(b.eventId === focus) - Number(a.eventId === focus));
  for (const h of sorted) byEvent.set(h.eventId, [...(byEvent.get(h.eventId) ?? []), h]);

  if (focus && listing)
    return (
      <section class="checkout">
        <h1>Checkout</h1>
        <ResaleCheckout eventId={focus} listingId={listing} name={names[focus] ?? focus} />
      </section>
    );

  return (
    <section class="checkout">
      <h1>Checkout</h1>
      {error && (
        <p class="error" role="alert">
          Your holds could not be read: {error}
        </p>
      )}
      {holds === null && !error && <p>Reading your holds…</p>}
      {holds?.length === 0 && (
        <div class="panel">
          <p>You hold no seats right now. Holds last 10 minutes from when you take them.</p>
          <p>
            <Link href="/">Find events</Link> · <Link href="/orders">My orders</Link>
          </p>
        </div>
      )}
      {[...byEvent].map(([eventId, list]) => (
        <EventCheckout key={eventId} eventId={eventId} name={names[eventId] ?? eventId} holds={list} />
      ))}
      {focus && holds !== null && !byEvent.has(focus) && <ResaleOffers eventId={focus} />}
    </section>
  );
}

type Step = { kind: 'review' } | { kind: 'pay'; order: Order; payment: PaymentInfo | null };

function EventCheckout({ eventId, name, holds }: { eventId: string; name: string; holds: MyHold[] }) {
  const now = useNow();
  const [step, setStep] = useState<Step>({ kind: 'review' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const expiresAt = Math.min(...holds.map((h) => h.expiresAt));
  const expired = expiresAt <= now && step.kind === 'review';

  const place = async (e: SubmitEvent) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget as HTMLFormElement).get('code') ?? '').trim();
    const body: CheckoutRequest = { eventId, holdIds: holds.map((h) => h.holdId), ...(code ? { code } : {}) };
    setBusy(true);
    setError(null);
    try {
      const r = await checkout(http(), body, attemptKey(body));
      if (!r.payment || r.order.status === 'paid') return done(r.order);
      setStep({ kind: 'pay', order: r.order, payment: r.payment });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'HOLD_IN_ORDER') {
        // An earlier attempt (another tab, another code) made the order: pay that one.
        const pending = await pendingOrderFor(eventId, body.holdIds ?? []);
        if (pending) return setStep({ kind: 'pay', order: pending, payment: null });
      }
      setError(checkoutError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="panel event-checkout" aria-labelledby={`co-${eventId}`}>
      <h2 id={`co-${eventId}`}>
        <Link href={href.event(eventId)}>{name}</Link>
      </h2>
      {step.kind === 'review' && (
        <>
          <ul class="holds">
            {holds.map((h) => (
              <li key={h.holdId}>
                {h.area
                  ? `${h.places} standing place${h.places === 1 ? '' : 's'} (${h.area})`
                  : h.seats.join(', ')}
              </li>
            ))}
          </ul>
          <p role="timer" aria-live="off" class={expired ? 'error' : undefined}>
            {expired
              ? 'Your hold has expired: choose the seats again.'
              : `Held for you for ${countdown(expiresAt, now)}`}
          </p>
          <form class="row" onSubmit={place}>
            <div class="field">
              <label for={`code-${eventId}`}>Promo code (optional)</label>
              <input id={`code-${eventId}`} name="code" maxLength={32} autocomplete="off" />
            </div>
            <button type="submit" disabled={busy || expired}>
              {busy ? 'Pricing…' : 'Continue to payment'}
            </button>
          </form>
        </>
      )}
      {step.kind === 'pay' && <PayStep order={step.order} payment={step.payment} />}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

async function pendingOrderFor(eventId: string, holdIds: string[]): Promise<Order | null> {
  try {
    const { orders } = await searchOrders(http(), { eventId, limit: 20 });
    return (
      orders.find((o) => o.status === 'pending_payment' && o.holdIds.some((h) => holdIds.includes(h))) ?? null
    );
  } catch {
    return null;
  }
}
