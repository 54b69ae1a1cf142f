import { z } from 'zod';
import type { DomainError } from './errors.ts';

// Commands: what callers ask an event actor to do. The domain decides each one against the
// state (src/domain/decide.ts) into an event, which is what the journal keeps; ids and the
// time come in with the command, so a decision needs nothing from outside.

const id = z.string().min(1).max(128);
// Seats are named by their number in the compiled chart: the hot path indexes typed arrays
// with them directly, and the gateway maps public seat ids to numbers at the edge.
const seatList = z.array(z.number().int().nonnegative()).min(1).max(1000);

export const bestFilterSchema = z
  .object({
    categories: z.array(id).max(64).optional(),
    sections: z.array(id).max(1000).optional(),
    minPrice: z.number().int().nonnegative().optional(),
    maxPrice: z.number().int().nonnegative().optional(),
    accessible: z.boolean().optional(),
  })
  .strict();

// A sale is open to everyone, to presale fans only, paused, or closed.
export const SALE_STATUSES = ['open', 'presale', 'paused', 'closed'] as const;
// Set by the caller once it has checked the fan's presale right (a code or a list): during a
// presale only holds carrying it are taken.
const presale = z.boolean().optional();

export const commandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hold'), holdId: id, fanId: id, seats: seatList, presale }).strict(),
  z
    .object({
      type: z.literal('holdBest'),
      holdId: id,
      fanId: id,
      count: z.number().int().min(1).max(100),
      filter: bestFilterSchema.optional(),
      presale,
    })
    .strict(),
  z
    .object({
      type: z.literal('holdGa'),
      holdId: id,
      fanId: id,
      area: id,
      count: z.number().int().min(1).max(100),
      presale,
    })
    .strict(),
  z
    .object({
      type: z.literal('extendHold'),
      holdId: id,
      fanId: id,
      byMs: z.number().int().min(1).max(86_400_000),
    })
    .strict(),
  z.object({ type: z.literal('release'), holdId: id, fanId: id }).strict(),
  z.object({ type: z.literal('expire') }).strict(),
  z.object({ type: z.literal('book'), holdId: id, fanId: id, orderId: id }).strict(),
  z.object({ type: z.literal('cancelBooking'), orderId: id, seats: seatList.optional() }).strict(),
  z
    .object({
      type: z.literal('transfer'),
      orderId: id,
      fromFanId: id,
      toFanId: id,
      seats: seatList.optional(),
      /** A resale listing bought: the seats must be listed, and the event names the sale. */
      sale: z.object({ listingId: id, orderId: id }).strict().optional(),
    })
    .strict(),
  // A fan offers booked seats of theirs for resale at `price` (minor units, checked against
  // the event's cap by the caller), or takes them back; `by` an operator when the event starts.
  z
    .object({
      type: z.literal('listResale'),
      listingId: id,
      fanId: id,
      seats: seatList,
      price: z.number().int().positive().max(1_000_000_000),
    })
    .strict(),
  z.object({ type: z.literal('withdrawResale'), listingId: id, fanId: id, seats: seatList }).strict(),
  z.object({ type: z.literal('block'), seats: seatList }).strict(),
  z.object({ type: z.literal('unblock'), seats: seatList }).strict(),
  z.object({ type: z.literal('setForSale'), seats: seatList, forSale: z.boolean() }).strict(),
  z.object({ type: z.literal('setSale'), status: z.enum(SALE_STATUSES) }).strict(),
  // Price per chart category in cents; a category left out is not on sale.
  z
    .object({
      type: z.literal('setPrices'),
      prices: z.record(id, z.number().int().nonnegative().max(1_000_000_000)),
    })
    .strict(),
]);

export type Command = z.infer<typeof commandSchema>;
export type BestFilter = z.infer<typeof bestFilterSchema>;
export type CommandType = Command['type'];
export type SaleStatus = (typeof SALE_STATUSES)[number];

/** Validates an untrusted command at the edge (gateway, IPC); trusted code passes typed commands. */
export function parseCommand(
  input: unknown,
): { ok: true; command: Command } | { ok: false; error: DomainError } {
  const parsed = commandSchema.safeParse(input);
  if (parsed.success) return { ok: true, command: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return {
    ok: false,
    error: { code: 'INVALID_COMMAND', message: `${where}${issue?.message ?? 'malformed command'}` },
  };
}
