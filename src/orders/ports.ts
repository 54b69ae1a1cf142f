import type { EventPort } from '../actors/event-port.ts';
import type { Layout } from '../domain/chart.ts';
import type { IntentRequest, PaymentIntent, RefundRequest, RefundResult } from '../payments/provider.ts';
import type { Db } from '../persistence/db.ts';

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

/** A resale listing as a checkout buys it (src/resale prices and reserves it). */
export interface ResaleLine {
  listingId: string;
  eventId: string;
  /** The seat's number in the event's chart, and its public id. */
  seat: number;
  item: string;
  label: string;
  category: string;
  price: number;
  currency: string;
  sellerId: string;
  /** The order the seller bought the seat in: the seat map keeps it there. */
  sellerOrderId: string;
}

/** The resale market, as checkout and settlement use it. */
export interface ResaleDesk {
  /** The listing on offer now (LISTING_UNAVAILABLE otherwise: sold, withdrawn, reserved, the buyer's own). */
  offer(listingId: string, buyerId: string): Promise<ResaleLine>;
  /** Reserves the listing for the order until `until`, in `tx`; LISTING_UNAVAILABLE if another buyer got it first. */
  reserve(tx: Db, listingId: string, orderId: string, until: Date): Promise<void>;
  /** The paid order takes its listing: false when it is no longer the order's to take. */
  claim(listingId: string, orderId: string): Promise<boolean>;
}

/** The provider, behind its circuit breaker (src/payments). */
export interface PaymentGateway {
  readonly name: string;
  createIntent(r: IntentRequest): Promise<PaymentIntent>;
  refund(r: RefundRequest): Promise<RefundResult>;
  retrieveIntent(paymentId: string): Promise<PaymentIntent>;
}
