import { z } from 'zod';
import type { Db } from '../persistence/db.ts';
import { NO_FEES, type PricingPolicy } from './pricing.ts';

// How an event charges: currency, fees and tax (pricing.ts computes with it). The face
// prices are the event's price tiers (the catalog's); this is the rest of the bill.

export const DEFAULT_POLICY: PricingPolicy = { currency: 'EUR', ...NO_FEES };

const amount = z.union([
  z.object({ fixed: z.number().int().min(0).max(100_000_000) }).strict(),
  z.object({ percentBp: z.number().int().min(0).max(10_000) }).strict(),
]);

export const policySchema = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code in upper case, like EUR'),
    perTicketFee: amount,
    perOrderFee: amount,
    taxRateBp: z.number().int().min(0).max(10_000),
  })
  .strict();

interface PolicyRow {
  currency: string;
  ticket_fee: PricingPolicy['perTicketFee'];
  order_fee: PricingPolicy['perOrderFee'];
  tax_rate_bp: number;
}

/**
 * Policies read per checkout, kept once read: this process is the one that writes them
 * (writePolicy drops the entry), as the event's actor is.
 */
const cache = new WeakMap<Db, Map<string, Promise<PricingPolicy>>>();

export function readPolicy(db: Db, eventId: string): Promise<PricingPolicy> {
  let byEvent = cache.get(db);
  if (!byEvent) {
    byEvent = new Map();
    cache.set(db, byEvent);
  }
  let p = byEvent.get(eventId);
  if (!p) {
    p = loadPolicy(db, eventId);
    p.catch(() => byEvent.delete(eventId));
    byEvent.set(eventId, p);
  }
  return p;
}

async function loadPolicy(db: Db, eventId: string): Promise<PricingPolicy> {
  const { rows } = await db.query<PolicyRow>(
    'SELECT currency, ticket_fee, order_fee, tax_rate_bp FROM order_policies WHERE event_id = $1',
    [eventId],
  );
  const r = rows[0];
  if (!r) return DEFAULT_POLICY;
  return {
    currency: r.currency,
    perTicketFee: r.ticket_fee,
    perOrderFee: r.order_fee,
    taxRateBp: r.tax_rate_bp,
  };
}

export async function writePolicy(db: Db, eventId: string, p: PricingPolicy): Promise<void> {
  await db.query(
    `INSERT INTO order_policies (event_id, currency, ticket_fee, order_fee, tax_rate_bp)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (event_id) DO UPDATE SET currency = $2, ticket_fee = $3, order_fee = $4,
       tax_rate_bp = $5, updated_at = now()`,
    [eventId, p.currency, JSON.stringify(p.perTicketFee), JSON.stringify(p.perOrderFee), p.taxRateBp],
  );
  cache.get(db)?.delete(eventId);
}
