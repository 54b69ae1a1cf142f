// The payment-provider port: what the orders capability asks of a provider, and what it hears
// back. Everything that crosses it is plain data (msgpack-able: strings, numbers, null), so
// an adapter could live in another process. Amounts are integer minor units; currencies are
// ISO 4217 codes in upper case (adapters translate to the provider's own spelling).

export type ProviderName = 'stripe' | 'simulated';

export interface IntentRequest {
  orderId: string;
  /** Minor units (cents), > 0. */
  amount: number;
  /** ISO 4217, upper case (EUR). */
  currency: string;
  /** The same key gets the same intent back (a retried checkout charges once). */
  idempotencyKey: string;
  email?: string;
  description?: string;
}

export type IntentStatus = 'requires_payment' | 'processing' | 'succeeded' | 'failed' | 'canceled';

export interface PaymentIntent {
  /** The provider's payment id (pi_…): the key the order keeps and webhooks name. */
  id: string;
  status: IntentStatus;
  /** What the fan's browser confirms the payment with (Stripe.js); null when there is none. */
  clientSecret: string | null;
  amount: number;
  currency: string;
}

export interface RefundRequest {
  /** The payment to refund (PaymentIntent.id). */
  paymentId: string;
  /** Minor units, > 0, at most what is left of the captured amount. */
  amount: number;
  /** The same key refunds once. */
  idempotencyKey: string;
  reason?: string;
}

export interface RefundResult {
  /** The provider's refund id (re_…): refund webhooks name it. */
  id: string;
  /** pending: the provider settles it later and says so by webhook. */
  status: 'succeeded' | 'pending' | 'failed';
}

export type PaymentEventType =
  | 'payment_succeeded'
  | 'payment_failed'
  | 'refund_succeeded'
  | 'refund_failed'
  /** Verified, but nothing the orders act on (other provider event types). */
  | 'ignored';

/**
 * A verified webhook, provider-neutral. Providers deliver at least once and in any order:
 * `id` is the dedupe key (recordWebhook), and the receiver's state machine decides what a
 * late event means (a payment_failed after payment_succeeded changes nothing).
 */
export interface PaymentEvent {
  /** The provider's event id (evt_…), unique per provider. */
  id: string;
  provider: ProviderName;
  type: PaymentEventType;
  /** The payment (intent) it is about; '' for ignored events without one. */
  paymentId: string;
  /** From the payment's metadata, when the payment carries it (refund events may not). */
  orderId: string | null;
  /** For refund events: the refund (RefundResult.id); null when the provider's event does not say which. */
  refundId: string | null;
  /**
   * Minor units: the payment's amount; for refund events that refund's amount (or, with
   * refundId null, the total refunded on the payment so far).
   */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** Why a payment failed (the provider's decline code: card_declined, insufficient_funds, …). */
  error: { code: string; message: string } | null;
  /** When the provider created the event, seconds since the epoch. */
  created: number;
}

export interface PaymentProvider {
  readonly name: ProviderName;
  /** One intent per order (per idempotency key); the fan pays it with its clientSecret. */
  createIntent(r: IntentRequest): Promise<PaymentIntent>;
  refund(r: RefundRequest): Promise<RefundResult>;
  /**
   * The payment as the provider has it now: what a receiver asks when a webhook is overdue
   * (delivery is at least once, but may come hours late, or, after a crash, never).
   */
  retrieveIntent(paymentId: string): Promise<PaymentIntent>;
  /**
   * Checks a webhook's signature over its exact bytes and reads it; throws PaymentError
   * INVALID_SIGNATURE for a forged, tampered, stale or unsigned one. Local work: no call out.
   */
  verifyWebhook(raw: Buffer, signature: string | undefined): PaymentEvent;
}

/**
 * Where verified payment events go (the orders capability implements it). It should record
 * the event with recordWebhook inside the transaction that applies it, so that a redelivery
 * changes nothing; if it throws, the webhook is answered 500 and the provider delivers again.
 */
export interface PaymentEventSink {
  paymentEvent(e: PaymentEvent): Promise<void>;
}
