// A fan's checkout: live holds become an order (POST /api/checkout, with an Idempotency-Key
// so a retry never makes a second order), paid with the simulated provider's test cards
// (or Stripe.js with the payment's clientSecret when the server uses Stripe).
import type { CheckoutRequest, PaymentInfo } from '../../src/orders/checkout.ts';
import type { OrderView } from '../../src/orders/store.ts';
import type { OnsaleHttp } from './http.ts';

export type { CheckoutRequest, PaymentInfo } from '../../src/orders/checkout.ts';

export interface CheckoutReply {
  order: OrderView;
  /** Null when nothing is to be paid (a free order is booked at once). */
  payment: PaymentInfo | null;
}

/** Places the order; the same key with the same body answers the same order and payment. */
export function checkout(http: OnsaleHttp, body: CheckoutRequest, key: string): Promise<CheckoutReply> {
  return http.request('POST', '/api/checkout', body, { 'idempotency-key': key });
}

export interface SimulatedPayment {
  paymentId: string;
  status: 'succeeded' | 'failed';
  /** Why it was declined; null when paid. */
  error: { code: string; message: string } | null;
}

/** Pays a simulated payment with a test card (digits only): succeeded, or failed with why. */
export function paySimulated(http: OnsaleHttp, paymentId: string, card: string): Promise<SimulatedPayment> {
  return http.request('POST', `/api/payments/simulated/${encodeURIComponent(paymentId)}/confirm`, { card });
}
