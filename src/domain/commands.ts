import { z } from 'zod';
import type { DomainError } from './errors.ts';

// Commands an event actor applies. Everything that would make replay differ (ids, time)
// comes in with the command or its envelope, so the journal rebuilds identical state.

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

export const commandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hold'), holdId: id, fanId: id, seats: seatList }).strict(),
  z
    .object({
      type: z.literal('holdBest'),
      holdId: id,
      fanId: id,
      count: z.number().int().min(1).max(100),
      filter: bestFilterSchema.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('holdGa'),
      holdId: id,
      fanId: id,
      area: id,
      count: z.number().int().min(1).max(100),
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
    })
    .strict(),
  z.object({ type: z.literal('block'), seats: seatList }).strict(),
  z.object({ type: z.literal('unblock'), seats: seatList }).strict(),
  z.object({ type: z.literal('setForSale'), seats: seatList, forSale: z.boolean() }).strict(),
  z.object({ type: z.literal('setSale'), status: z.enum(['open', 'paused', 'closed']) }).strict(),
]);

export type Command = z.infer<typeof commandSchema>;
export type BestFilter = z.infer<typeof bestFilterSchema>;
export type CommandType = Command['type'];
export type SaleStatus = 'open' | 'paused' | 'closed';

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
