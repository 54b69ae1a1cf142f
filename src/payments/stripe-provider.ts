import type Stripe from 'stripe';
import {
  declined,
  keyReused,
  PaymentError,
  paymentNotFound,
  providerError,
  refundTooLarge,
  rejected,
} from './errors.ts';
import type {
  IntentRequest,
  IntentStatus,
  PaymentEvent,
  PaymentIntent,
  PaymentProvider,
  RefundRequest,
  RefundResult,
} from './provider.ts';
import { stripeLib, verifyStripeWebhook } from './stripe-events.ts';

// The Stripe adapter: one PaymentIntent per order (metadata.orderId, the checkout's
// idempotency key as Stripe's Idempotency-Key, so a retried checkout creates one intent),
// refunds by payment intent, and webhooks verified with the endpoint's signing secret.
// Stripe's errors become PaymentErrors: card and request errors are a healthy Stripe saying
// no; connection, 5xx, rate-limit and authentication errors are PAYMENT_PROVIDER_ERROR (the
// breaker counts those).

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** Another API host (a local stand-in); unset: api.stripe.com over https. */
  api?: { host: string; port: number; protocol: 'http' | 'https' };
  /** Per HTTP request; the breaker bounds the whole call (retries included) too. */
  timeoutMs: number;
  /** Stripe's own retries of a failed request (safe: every request carries its idempotency key). */
  maxNetworkRetries: number;
}

const STATUS: Record<string, IntentStatus> = {
  requires_payment_method: 'requires_payment',
  requires_confirmation: 'requires_payment',
  requires_action: 'requires_payment',
  processing: 'processing',
  requires_capture: 'processing',
  succeeded: 'succeeded',
  canceled: 'canceled',
};

export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(private readonly settings: StripeSettings) {
    const Lib = stripeLib();
    this.stripe = new Lib(settings.secretKey, {
      ...settings.api,
      maxNetworkRetries: settings.maxNetworkRetries,
      timeout: settings.timeoutMs,
      // Stripe's library reports usage to Stripe by default; a self-hosted server should not.
      telemetry: false,
    });
  }

  async createIntent(r: IntentRequest): Promise<PaymentIntent> {
    try {
      const pi = await this.stripe.paymentIntents.create(
        {
          amount: r.amount,
          currency: r.currency.toLowerCase(),
          metadata: { orderId: r.orderId },
          automatic_payment_methods: { enabled: true },
          ...(r.email ? { receipt_email: r.email } : {}),
          ...(r.description ? { description: r.description } : {}),
        },
        { idempotencyKey: r.idempotencyKey },
      );
      return intentOf(pi);
    } catch (e) {
      throw fromStripeError(e, r.orderId);
    }
  }

  async retrieveIntent(paymentId: string): Promise<PaymentIntent> {
    try {
      return intentOf(await this.stripe.paymentIntents.retrieve(paymentId));
    } catch (e) {
      throw fromStripeError(e, paymentId);
    }
  }

  async refund(r: RefundRequest): Promise<RefundResult> {
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: r.paymentId,
          amount: r.amount,
          ...(r.reason ? { metadata: { reason: r.reason } } : {}),
        },
        { idempotencyKey: r.idempotencyKey },
      );
      const status =
        refund.status === 'succeeded' ? 'succeeded' : refund.status === 'pending' ? 'pending' : 'failed';
      return { id: refund.id, status: refund.status === 'requires_action' ? 'pending' : status };
    } catch (e) {
      throw fromStripeError(e, r.paymentId);
    }
  }

  verifyWebhook(raw: Buffer, signature: string | undefined): PaymentEvent {
    return verifyStripeWebhook(raw, signature, this.settings.webhookSecret, 'stripe');
  }
}

/** Stripe's PaymentIntent as the port's. */
function intentOf(pi: Stripe.PaymentIntent): PaymentIntent {
  return {
    id: pi.id,
    status:
      pi.last_payment_error && pi.status === 'requires_payment_method'
        ? 'failed'
        : (STATUS[pi.status] ?? 'processing'),
    clientSecret: pi.client_secret ?? null,
    amount: pi.amount,
    currency: pi.currency.toUpperCase(),
  };
}

/** A Stripe library error as a PaymentError (anything else: the provider failed). */
export function fromStripeError(e: unknown, subject: string): PaymentError {
  if (e instanceof PaymentError) return e;
  const E = stripeLib().errors;
  if (e instanceof E.StripeCardError) return declined(e.decline_code ?? e.code ?? 'card_declined', e.message);
  if (e instanceof E.StripeIdempotencyError) return keyReused();
  if (e instanceof E.StripeInvalidRequestError) {
    if (e.code === 'resource_missing') return paymentNotFound(subject);
    if (e.code === 'amount_too_large' || e.code === 'charge_already_refunded') return refundTooLarge(null);
    return rejected(e.message);
  }
  return providerError(e instanceof Error ? e.message : String(e));
}
