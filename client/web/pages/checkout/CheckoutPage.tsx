// Checkout: the fan's live holds per event, a promo code, the order as the server prices it
// (tickets, discount, fees, tax), the simulated card form, then on to the order. Each attempt
// has its Idempotency-Key (attempt.ts), so retrying never places a second order.
import { useEffect, useState } from 'preact/hooks';
import { order as getOrder, type Order, searchOrders } from '../../../sdk/box-office.ts';
import { type CheckoutRequest, checkout, type PaymentInfo, paySimulated } from '../../../sdk/checkout.ts';
import { ApiError, type MyHold } from '../../../sdk/index.ts';
import { SignInPrompt } from '../../layout/SignInPrompt.tsx';
import { errorMessage, http } from '../../lib/api.ts';
import { countdown, money } from '../../lib/format.ts';
import { Link, navigate } from '../../lib/navigation.tsx';
import { href } from '../../lib/routes.ts';
import { useSession } from '../../lib/session.ts';
import { useNow } from '../../lib/use-now.ts';
import { attemptKey } from './attempt.ts';
import { Breakdown } from './Breakdown.tsx';
import { CardForm } from './CardForm.tsx';

export function CheckoutPage() {
  const session = useSession();
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
          for (const id of new Set(r.holds.map((h) => h.eventId)))
            http()
              .event(id)
              .then(
                (e) => setNames((n) => ({ ...n, [id]: String(e.name) })),
                () => {},
              );
        },
        (e) => setError(errorMessage(e)),
      );
  }, [session?.token]);

  if (!session)
    return <SignInPrompt title="Checkout" why="Sign in to pay for the seats you hold." next="/checkout" />;

  const byEvent = new Map<string, MyHold[]>();
  for (const h of holds ?? []) byEvent.set(h.eventId, [...(byEvent.get(h.eventId) ?? []), h]);

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
    </section>
  );
}

type Step =
  | { kind: 'review' }
  | { kind: 'pay'; order: Order; payment: PaymentInfo | null }
  | { kind: 'confirming'; order: Order };

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

  const pay = async (card: string) => {
    if (step.kind !== 'pay') return;
    const paymentId = step.payment?.paymentId ?? step.order.payment.id;
    if (!paymentId) return setError('This order has no payment to confirm; reload the page.');
    setBusy(true);
    setError(null);
    try {
      const r = await paySimulated(http(), paymentId, card);
      if (r.status === 'failed') {
        setError(`The payment was declined: ${r.error?.message ?? 'no reason given'} Try another card.`);
        return;
      }
      setStep({ kind: 'confirming', order: step.order });
      done(await untilBooked(step.order.id));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'PAYMENT_SETTLED')
        return done(await untilBooked(step.order.id));
      setError(checkoutError(err));
    } finally {
      setBusy(false);
    }
  };

  const done = (o: Order) => navigate(`/orders?placed=${encodeURIComponent(o.id)}`);

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
      {(step.kind === 'pay' || step.kind === 'confirming') && (
        <>
          <Breakdown order={step.order} />
          <p role="timer" aria-live="off">
            Pay within {countdown(Date.parse(step.order.expiresAt), now)} to keep these seats.
          </p>
          {step.kind === 'confirming' ? (
            <p aria-live="polite">Payment accepted: issuing your tickets…</p>
          ) : step.payment && step.payment.provider !== 'simulated' ? (
            <p class="error">
              This server takes card payments through {step.payment.provider}, which this page cannot show
              yet.
            </p>
          ) : (
            <CardForm busy={busy} total={money(step.order.total, step.order.currency)} onPay={pay} />
          )}
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

function checkoutError(e: unknown): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'NO_HOLDS':
        return 'Your hold on these seats has ended. Choose the seats again on the event page.';
      case 'CODE_USED_UP':
        return 'That promo code has been used up.';
      case 'CODE_NOT_VALID_NOW':
        return 'That promo code is not valid at the moment.';
      case 'CLOSED':
      case 'HTTP_ERROR':
        return 'The server could not be reached. Try again: you will not be charged twice.';
    }
    return e.message;
  }
  if (e instanceof TypeError)
    return 'The server could not be reached. Try again: you will not be charged twice.';
  return errorMessage(e);
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

/** The order once its tickets are booked (the payment's webhook, then the journal); at most ~20 s. */
async function untilBooked(id: string): Promise<Order> {
  let last = await getOrder(http(), id);
  for (let i = 0; i < 80 && last.status === 'pending_payment'; i++) {
    await new Promise((r) => setTimeout(r, 250));
    last = await getOrder(http(), id);
  }
  return last;
}
