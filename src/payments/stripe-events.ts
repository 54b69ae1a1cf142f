import { createRequire } from 'node:module';
import type StripeLib from 'stripe';
import { invalidSignature, PaymentError } from './errors.ts';
import type { PaymentEvent, PaymentEventType, ProviderName } from './provider.ts';

// Stripe's webhook format, both ways. Both providers speak it: the Stripe adapter reads what
// Stripe sends, and the simulator sends the same JSON signed the same way, so one verify-and-
// read path serves both. Signing and verifying are the stripe library's offline helpers
// (HMAC-SHA256 over "timestamp.body", 300 s tolerance); nothing here calls out.

const require = createRequire(import.meta.url);
let lib: typeof StripeLib | null = null;

/**
 * The stripe library, loaded on first use: it keeps about 20 MB resident, which a server that
 * has taken no payment since it started does not need (the start-up bench's RSS budget).
 */
export function stripeLib(): typeof StripeLib {
  lib ??= require('stripe') as typeof StripeLib;
  return lib;
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The payment a refund or charge belongs to (`payment_intent` is an id, or expanded). */
function intentId(v: unknown): string {
  return str(v) ?? str(obj(v).id) ?? '';
}

function orderIdOf(o: Obj): string | null {
  return str(obj(o.metadata).orderId);
}

/** A Stripe event (already verified) as a PaymentEvent. */
export function fromStripeEvent(event: unknown, provider: ProviderName): PaymentEvent {
  const e = obj(event);
  const o = obj(obj(e.data).object);
  const base = {
    id: str(e.id) ?? '',
    provider,
    paymentId: '',
    orderId: null as string | null,
    refundId: null as string | null,
    amount: 0,
    currency: (str(o.currency) ?? '').toUpperCase(),
    error: null as PaymentEvent['error'],
    created: num(e.created),
  };
  const type = str(e.type);
  const of = (t: PaymentEventType, more: Partial<PaymentEvent>): PaymentEvent => ({
    ...base,
    type: t,
    ...more,
  });
  switch (type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed': {
      const err = obj(o.last_payment_error);
      return of(type === 'payment_intent.succeeded' ? 'payment_succeeded' : 'payment_failed', {
        paymentId: str(o.id) ?? '',
        orderId: orderIdOf(o),
        amount: num(o.amount),
        error:
          type === 'payment_intent.payment_failed'
            ? {
                code: str(err.decline_code) ?? str(err.code) ?? 'payment_failed',
                message: str(err.message) ?? 'the payment failed',
              }
            : null,
      });
    }
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed': {
      // A refund is settled when its status says so; one created or updated while pending says nothing yet.
      const status = str(o.status);
      const failed = type === 'refund.failed' || status === 'failed' || status === 'canceled';
      if (!failed && status !== 'succeeded') break;
      return of(failed ? 'refund_failed' : 'refund_succeeded', {
        paymentId: intentId(o.payment_intent),
        orderId: orderIdOf(o),
        refundId: str(o.id),
        amount: num(o.amount),
        error: failed
          ? { code: str(o.failure_reason) ?? 'refund_failed', message: 'the refund failed' }
          : null,
      });
    }
    case 'charge.refunded': {
      // Older API versions list the charge's refunds: the newest is the one this is about.
      // Without the list, the event says only how much is refunded in all (refundId null).
      const refunds = Array.isArray(obj(o.refunds).data) ? (obj(o.refunds).data as unknown[]).map(obj) : [];
      const newest = refunds.sort((a, b) => num(b.created) - num(a.created))[0];
      return of('refund_succeeded', {
        paymentId: intentId(o.payment_intent),
        orderId: orderIdOf(o),
        refundId: newest ? str(newest.id) : null,
        amount: newest ? num(newest.amount) : num(o.amount_refunded),
      });
    }
  }
  return of('ignored', { paymentId: str(o.object) === 'payment_intent' ? (str(o.id) ?? '') : '' });
}

/**
 * Verifies a Stripe-signed webhook against `secret` and reads it. Throws PaymentError
 * INVALID_SIGNATURE for a missing, forged, tampered or stale (over 300 s) signature.
 */
export function verifyStripeWebhook(
  raw: Buffer,
  signature: string | undefined,
  secret: string,
  provider: ProviderName,
): PaymentEvent {
  if (!signature) throw invalidSignature('no stripe-signature header');
  let event: unknown;
  try {
    event = stripeLib().webhooks.constructEvent(raw, signature, secret);
  } catch (e) {
    if (e instanceof stripeLib().errors.StripeSignatureVerificationError)
      throw invalidSignature(e.message.split('\n')[0].slice(0, 200));
    // Signed, but not JSON: nobody we share the secret with sends that.
    throw new PaymentError('BAD_JSON', 'the webhook body is not JSON');
  }
  const parsed = fromStripeEvent(event, provider);
  if (!parsed.id) throw new PaymentError('INVALID_BODY', 'the webhook has no event id');
  return parsed;
}

/** The stripe-signature header for `payload` (the library's offline signer). */
export function signStripePayload(payload: string, secret: string, timestamp?: number): string {
  return stripeLib().webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

export interface IntentSnapshot {
  id: string;
  amount: number;
  /** Upper case; Stripe's JSON has it lower case. */
  currency: string;
  orderId: string;
  status: string;
  error: { code: string; message: string } | null;
}

/** A payment_intent event in Stripe's JSON, as the simulator sends it. */
export function intentEvent(
  eventId: string,
  type: 'payment_intent.succeeded' | 'payment_intent.payment_failed',
  created: number,
  p: IntentSnapshot,
): string {
  return JSON.stringify({
    id: eventId,
    object: 'event',
    type,
    created,
    livemode: false,
    data: {
      object: {
        id: p.id,
        object: 'payment_intent',
        amount: p.amount,
        currency: p.currency.toLowerCase(),
        status: type === 'payment_intent.succeeded' ? 'succeeded' : 'requires_payment_method',
        metadata: { orderId: p.orderId },
        last_payment_error: p.error
          ? { type: 'card_error', code: p.error.code, message: p.error.message }
          : null,
      },
    },
  });
}

/** A refund.updated event (status succeeded) in Stripe's JSON, as the simulator sends it. */
export function refundEvent(
  eventId: string,
  created: number,
  r: { id: string; paymentId: string; orderId: string; amount: number; currency: string },
): string {
  return JSON.stringify({
    id: eventId,
    object: 'event',
    type: 'refund.updated',
    created,
    livemode: false,
    data: {
      object: {
        id: r.id,
        object: 'refund',
        amount: r.amount,
        currency: r.currency.toLowerCase(),
        payment_intent: r.paymentId,
        status: 'succeeded',
        metadata: { orderId: r.orderId },
      },
    },
  });
}
