import type { Logger } from 'pino';
import type { Db } from '../persistence/db.ts';
import type { EventAccess, PaymentGateway, ResaleDesk } from './ports.ts';

/** What the orders' operations share: the database, the events, the provider. */
export interface OrdersContext {
  db: Db;
  events: EventAccess;
  payments: PaymentGateway;
  /** Stripe's publishable key for the fan's card form (Stripe.js), when payments go through Stripe. */
  publishableKey?: string;
  /** The resale market, when the server has one (checkout of listings). */
  resale?: ResaleDesk;
  log: Logger;
  /** Nudges the mail sender after a transaction that enqueued mail. */
  mailQueued(): void;
}
