import { describe, expect, it } from 'vitest';
import {
  fromStripeEvent,
  intentEvent,
  refundEvent,
  signStripePayload,
  verifyStripeWebhook,
} from '../../src/payments/stripe-events.ts';

// Webhook verification with real signed payloads (the stripe library's offline signer), and
// the mapping of Stripe's event types to PaymentEvents.

const SECRET = 'whsec_test_secret_for_events';
const now = () => Math.floor(Date.now() / 1000);

const succeeded = intentEvent('evt_ok', 'payment_intent.succeeded', 1_800_000_000, {
  id: 'pi_1',
  amount: 2500,
  currency: 'EUR',
  orderId: 'ord_1',
  status: 'succeeded',
  error: null,
});

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('webhook verification', () => {
  it('given a payload signed with the secret, then it verifies and reads as a PaymentEvent', () => {
    const e = verifyStripeWebhook(
      Buffer.from(succeeded),
      signStripePayload(succeeded, SECRET),
      SECRET,
      'simulated',
    );
    expect(e).toEqual({
      id: 'evt_ok',
      provider: 'simulated',
      type: 'payment_succeeded',
      paymentId: 'pi_1',
      orderId: 'ord_1',
      refundId: null,
      amount: 2500,
      currency: 'EUR',
      error: null,
      created: 1_800_000_000,
    });
  });

  it('given a forged secret, a tampered body, a stale timestamp or no header, then INVALID_SIGNATURE', () => {
    const raw = Buffer.from(succeeded);
    expect(
      code(() => verifyStripeWebhook(raw, signStripePayload(succeeded, 'whsec_forged'), SECRET, 'stripe')),
    ).toBe('INVALID_SIGNATURE');
    const tampered = Buffer.from(succeeded.replace('"amount":2500', '"amount":1'));
    expect(
      code(() => verifyStripeWebhook(tampered, signStripePayload(succeeded, SECRET), SECRET, 'stripe')),
    ).toBe('INVALID_SIGNATURE');
    const stale = signStripePayload(succeeded, SECRET, now() - 301);
    expect(code(() => verifyStripeWebhook(raw, stale, SECRET, 'stripe'))).toBe('INVALID_SIGNATURE');
    expect(code(() => verifyStripeWebhook(raw, undefined, SECRET, 'stripe'))).toBe('INVALID_SIGNATURE');
    expect(code(() => verifyStripeWebhook(raw, 'garbage', SECRET, 'stripe'))).toBe('INVALID_SIGNATURE');
    // Within the tolerance it still verifies.
    expect(
      code(() =>
        verifyStripeWebhook(raw, signStripePayload(succeeded, SECRET, now() - 200), SECRET, 'stripe'),
      ),
    ).toBe(undefined);
  });
});

describe('Stripe events as PaymentEvents', () => {
  const ev = (type: string, object: Record<string, unknown>) => ({
    id: 'evt_x',
    type,
    created: 5,
    data: { object },
  });

  it('given payment_intent.payment_failed, then payment_failed with the decline code (decline_code first)', () => {
    const failed = JSON.parse(
      intentEvent('evt_f', 'payment_intent.payment_failed', 7, {
        id: 'pi_2',
        amount: 100,
        currency: 'USD',
        orderId: 'ord_2',
        status: 'failed',
        error: { code: 'card_declined', message: 'Your card was declined.' },
      }),
    );
    expect(fromStripeEvent(failed, 'simulated')).toMatchObject({
      type: 'payment_failed',
      currency: 'USD',
      error: { code: 'card_declined', message: 'Your card was declined.' },
    });
    const stripe = ev('payment_intent.payment_failed', {
      id: 'pi_3',
      object: 'payment_intent',
      amount: 1,
      currency: 'eur',
      last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'm' },
    });
    expect(fromStripeEvent(stripe, 'stripe').error).toEqual({ code: 'insufficient_funds', message: 'm' });
  });

  it('given refund events, then refund_succeeded / refund_failed with the refund id; a pending refund is ignored', () => {
    const ok = JSON.parse(
      refundEvent('evt_r', 9, {
        id: 're_1',
        paymentId: 'pi_1',
        orderId: 'ord_1',
        amount: 300,
        currency: 'EUR',
      }),
    );
    expect(fromStripeEvent(ok, 'simulated')).toMatchObject({
      type: 'refund_succeeded',
      paymentId: 'pi_1',
      refundId: 're_1',
      amount: 300,
      orderId: 'ord_1',
    });
    const failed = ev('refund.failed', {
      id: 're_2',
      object: 'refund',
      amount: 5,
      currency: 'eur',
      payment_intent: 'pi_1',
      status: 'failed',
      failure_reason: 'expired_or_canceled_card',
    });
    expect(fromStripeEvent(failed, 'stripe')).toMatchObject({
      type: 'refund_failed',
      refundId: 're_2',
      error: { code: 'expired_or_canceled_card' },
    });
    const pending = ev('refund.updated', {
      id: 're_3',
      object: 'refund',
      amount: 5,
      currency: 'eur',
      payment_intent: 'pi_1',
      status: 'pending',
    });
    expect(fromStripeEvent(pending, 'stripe').type).toBe('ignored');
  });

  it('given charge.refunded, then refund_succeeded for its newest refund, or its total without the list', () => {
    const listed = ev('charge.refunded', {
      id: 'ch_1',
      object: 'charge',
      currency: 'eur',
      payment_intent: 'pi_7',
      amount_refunded: 800,
      refunds: {
        data: [
          { id: 're_old', amount: 500, created: 1 },
          { id: 're_new', amount: 300, created: 2 },
        ],
      },
    });
    expect(fromStripeEvent(listed, 'stripe')).toMatchObject({
      type: 'refund_succeeded',
      paymentId: 'pi_7',
      refundId: 're_new',
      amount: 300,
    });
    const bare = ev('charge.refunded', {
      id: 'ch_1',
      object: 'charge',
      currency: 'eur',
      payment_intent: 'pi_7',
      amount_refunded: 800,
    });
    expect(fromStripeEvent(bare, 'stripe')).toMatchObject({ refundId: null, amount: 800 });
  });

  it('given any other type, then ignored', () => {
    expect(
      fromStripeEvent(ev('customer.created', { id: 'cus_1', object: 'customer' }), 'stripe'),
    ).toMatchObject({
      id: 'evt_x',
      type: 'ignored',
      paymentId: '',
    });
  });
});
