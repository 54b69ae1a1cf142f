import type { EventPort } from '../actors/event-port.ts';
import type { Layout } from '../domain/chart.ts';
import type { IntentRequest, PaymentIntent, RefundRequest, RefundResult } from '../payments/provider.ts';

// What orders needs from the rest of the server, as narrow ports: an event's actor and
// layout, and the payment provider (whose data types are the payments capability's).

export interface OrderEvent {
  id: string;
  name: string;
  layout: Layout;
  handle: EventPort;
}

export interface EventAccess {
  /** The event (its actor started if need be), or EVENT_NOT_FOUND. */
  need(eventId: string): Promise<OrderEvent>;
}

/** The provider, behind its circuit breaker (src/payments). */
export interface PaymentGateway {
  readonly name: string;
  createIntent(r: IntentRequest): Promise<PaymentIntent>;
  refund(r: RefundRequest): Promise<RefundResult>;
  retrieveIntent(paymentId: string): Promise<PaymentIntent>;
}
