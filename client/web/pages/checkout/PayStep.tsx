// The second half of a checkout, the same for held seats and for a resale listing: the order
// as the server priced it, its deadline, the card form, declines shown, then on to the order
// once its tickets are booked.
import { useState } from 'preact/hooks';
import { order as getOrder, type Order } from '../../../sdk/box-office.ts';
import { type PaymentInfo, paySimulated } from '../../../sdk/checkout.ts';
import { ApiError } from '../../../sdk/index.ts';
import { http } from '../../lib/api.ts';
import { countdown, money } from '../../lib/format.ts';
import { navigate } from '../../lib/navigation.tsx';
import { useNow } from '../../lib/use-now.ts';
import { Breakdown } from './Breakdown.tsx';
import { CardForm } from './CardForm.tsx';
import { checkoutError } from './errors.ts';
import { StripeCardForm } from './StripeCardForm.tsx';

export function PayStep({ order, payment }: { order: Order; payment: PaymentInfo | null }) {
  const now = useNow();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const pay = async (card: string) => {
    const paymentId = payment?.paymentId ?? order.payment.id;
    if (!paymentId) return setError('This order has no payment to confirm; reload the page.');
    setBusy(true);
    setError(null);
    try {
      const r = await paySimulated(http(), paymentId, card);
      if (r.status === 'failed') {
        setError(`The payment was declined: ${r.error?.message ?? 'no reason given'} Try another card.`);
        return;
      }
      setConfirming(true);
      done(await untilBooked(order.id));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'PAYMENT_SETTLED') return done(await untilBooked(order.id));
      setError(checkoutError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Breakdown order={order} />
      <p role="timer" aria-live="off">
        Pay within {countdown(Date.parse(order.expiresAt), now)} to keep these seats.
      </p>
      {confirming ? (
        <p aria-live="polite">Payment accepted: issuing your tickets…</p>
      ) : payment?.provider === 'stripe' && payment.publishableKey && payment.clientSecret ? (
        <StripeCardForm
          publishableKey={payment.publishableKey}
          clientSecret={payment.clientSecret}
          total={money(order.total, order.currency)}
          onPaid={async () => {
            setConfirming(true);
            done(await untilBooked(order.id));
          }}
        />
      ) : payment && payment.provider !== 'simulated' ? (
        <p class="error">
          This server takes card payments through {payment.provider} but has no publishable key for its card
          form (STRIPE_PUBLISHABLE_KEY): ask the organiser.
        </p>
      ) : (
        <CardForm busy={busy} total={money(order.total, order.currency)} onPay={pay} />
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

/** On to the order, which says it went through. */
export function done(o: Order): void {
  navigate(`/orders?placed=${encodeURIComponent(o.id)}`);
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
