// The card form when payments go through Stripe: Stripe.js's Card Element (the card number
// never touches onsale), and stripe.confirmCardPayment with the order's client secret. The
// order moves to paid when Stripe's webhook reaches the server, as for any payment.
import { useEffect, useRef, useState } from 'preact/hooks';

/** Stripe.js v3's surface this form uses. */
interface StripeJs {
  elements(): { create(type: 'card'): { mount(el: HTMLElement): void; destroy(): void } };
  confirmCardPayment(
    clientSecret: string,
    data: { payment_method: { card: unknown } },
  ): Promise<{ error?: { message?: string }; paymentIntent?: { status: string } }>;
}

declare global {
  interface Window {
    Stripe?: (publishableKey: string) => StripeJs;
  }
}

export const STRIPE_JS = 'https://js.stripe.com/v3/';

let loading: Promise<void> | null = null;
/** Loads Stripe.js once (it must come from Stripe's own address). */
function loadStripeJs(): Promise<void> {
  if (window.Stripe) return Promise.resolve();
  loading ??= new Promise<void>((resolve, reject) => {
    const s = document.createElement('script');
    s.src = STRIPE_JS;
    s.onload = () => resolve();
    s.onerror = () => {
      loading = null;
      reject(new Error('Stripe.js could not be loaded'));
    };
    document.head.appendChild(s);
  });
  return loading;
}

export function StripeCardForm({
  publishableKey,
  clientSecret,
  total,
  onPaid,
}: {
  publishableKey: string;
  clientSecret: string;
  total: string;
  onPaid(): void;
}) {
  const mountAt = useRef<HTMLDivElement>(null);
  const stripe = useRef<StripeJs | null>(null);
  const card = useRef<unknown>(null);
  const [ready, setReady] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let el: { destroy(): void } | null = null;
    loadStripeJs().then(
      () => {
        if (!window.Stripe || !mountAt.current) return;
        stripe.current = window.Stripe(publishableKey);
        const c = stripe.current.elements().create('card');
        c.mount(mountAt.current);
        card.current = c;
        el = c;
        setReady(true);
      },
      () =>
        setError('The card form could not be loaded from Stripe. Check your connection and reload the page.'),
    );
    return () => el?.destroy();
  }, [publishableKey]);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (!stripe.current || !card.current) return;
    setBusy(true);
    setError(null);
    try {
      const r = await stripe.current.confirmCardPayment(clientSecret, {
        payment_method: { card: card.current },
      });
      if (r.error) setError(`The payment did not go through: ${r.error.message ?? 'no reason given'}`);
      else onPaid();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack card-form" onSubmit={submit} aria-describedby={error ? 'stripe-problem' : undefined}>
      <fieldset class="stripe-card">
        <legend>Card</legend>
        <div ref={mountAt} />
      </fieldset>
      {error && (
        <p id="stripe-problem" class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={!ready || busy}>
        {busy ? 'Paying…' : `Pay ${total}`}
      </button>
    </form>
  );
}
