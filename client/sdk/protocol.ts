import { z } from 'zod';
import { bestFilterSchema } from '../../src/domain/commands.ts';
import { STATUS_NAMES, type StatusName } from '../../src/domain/seat-status.ts';

// The live seat-map protocol, in one module the server and the SDK both import: what a
// client may send (validated by these schemas on the server), what the server sends, and the
// seat status codes. docs/protocol.md describes every message.

/** Seat status codes, as in the seat map's bytes. */
export const SEAT_STATUS = Object.fromEntries(STATUS_NAMES.map((name, i) => [name, i])) as {
  readonly [K in StatusName]: number;
};
export { STATUS_NAMES, type StatusName };

/** msgpack settings of binary frames (plain maps, no records: any msgpack decoder reads them). */
export const PACKR_OPTIONS = { useRecords: false } as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const printable = /^[^\u0000-\u001f\u007f]*$/;
/** Event, seat, area, hold ids and idempotency keys as clients send them (HTTP too). */
export const publicId = z.string().min(1).max(128).regex(printable, 'ids may not hold control characters');
const requestId = z.union([z.number().int().nonnegative(), z.string().min(1).max(64).regex(printable)]);
const token = (max: number) => z.string().min(1).max(max).regex(printable, 'tokens are printable');

/** What to hold: exactly one of specific seats, the best N, or places in a standing area. */
export const holdTargets = {
  seats: z.array(publicId).min(1).max(100).optional(),
  best: z
    .object({ count: z.number().int().min(1).max(100), filter: bestFilterSchema.optional() })
    .strict()
    .optional(),
  ga: z
    .object({ area: publicId, count: z.number().int().min(1).max(100) })
    .strict()
    .optional(),
};
const oneTarget = (r: { seats?: unknown; best?: unknown; ga?: unknown }) =>
  [r.seats, r.best, r.ga].filter(Boolean).length === 1;
export const ONE_TARGET = 'give exactly one of seats, best or ga';

/** POST /api/holds. */
/** A presale code an operator gave out (POST /api/events/:id/codes, kind presale). */
const presaleCode = z.string().min(3).max(32).regex(printable, 'codes are printable');

export const holdRequestSchema = z
  .object({ eventId: publicId, ...holdTargets, presaleCode: presaleCode.optional() })
  .strict()
  .refine(oneTarget, ONE_TARGET);
export type HoldRequest = z.infer<typeof holdRequestSchema>;

export const clientMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('auth'), token: token(512) }).strict(),
  z.object({ t: z.literal('sub'), e: publicId }).strict(),
  z.object({ t: z.literal('unsub'), e: publicId }).strict(),
  z.object({ t: z.literal('resync'), e: publicId }).strict(),
  z.object({ t: z.literal('qsub'), e: publicId }).strict(),
  z.object({ t: z.literal('qunsub'), e: publicId }).strict(),
  // The operators' live dashboard (src/dashboard): a `stats` message about once a second.
  z.object({ t: z.literal('osub'), e: publicId }).strict(),
  z.object({ t: z.literal('ounsub'), e: publicId }).strict(),
  z.object({ t: z.literal('ping'), id: requestId }).strict(),
  // "exactly one target" is checked by the handler, which answers with the request's id.
  z
    .object({
      t: z.literal('hold'),
      id: requestId,
      e: publicId,
      ...holdTargets,
      key: publicId.optional(),
      access: token(2048).optional(),
      code: presaleCode.optional(),
    })
    .strict(),
  z.object({ t: z.literal('release'), id: requestId, hold: publicId, key: publicId.optional() }).strict(),
  z
    .object({
      t: z.literal('extend'),
      id: requestId,
      hold: publicId,
      seconds: z.number().int().min(1).max(3600),
    })
    .strict(),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ClientMessageType = ClientMessage['t'];

/** Parses a decoded client frame; the message says what is wrong with a bad one. */
export function parseClientMessage(
  raw: unknown,
): { ok: true; message: ClientMessage } | { ok: false; message: string } {
  const parsed = clientMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, message: `${where}${issue?.message ?? 'malformed message'}` };
}

/** What the server sends. Binary sockets carry bytes as msgpack bin, JSON sockets as base64. */
export type ServerMessage =
  | { t: 'hello'; format: 'msgpack' | 'json'; user: { id: string; role: string } | null }
  | { t: 'authed'; user: { id: string; role: string } }
  /** The seat map at version v: `z` deflated statuses (binary), `s` raw statuses (JSON), `a` places per area. */
  | { t: 'snap'; e: string; v: number; z?: Uint8Array; s?: Uint8Array; a: number[] }
  /** Committed changes of versions f..v: flat [seat, status, …] and [area, available, …]. */
  | { t: 'delta'; e: string; f: number; v: number; s: number[]; a: number[] }
  | { t: 'reset'; e: string; v: number }
  | { t: 'queue'; e: string; serving: number; rate: number; waiting: number; enabled: boolean }
  | { t: 'reply'; id: number | string; ok: true; value: unknown }
  | { t: 'reply'; id: number | string; ok: false; error: { code: string; message: string } }
  | { t: 'error'; id?: number | string; code: string; message: string }
  | { t: 'pong'; id: number | string }
  | ({ t: 'stats' } & OperatorStats);

/** Milliseconds over the last 10 s: null percentiles when nothing happened. */
export interface LatencyStats {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** The operators' once-a-second figures of one event (`osub`; GET /api/events/:id/dashboard). */
export interface OperatorStats {
  e: string;
  /** When the figures were read, epoch milliseconds. */
  at: number;
  /** The seat state's version, and the actor's sale (open, presale, paused, closed). */
  version: number;
  sale: string;
  seats: Record<StatusName, number>;
  areas: { id: string; name: string; capacity: number; available: number }[];
  /** From the orders: paid, partly refunded and refunded ones; amounts in minor units. */
  sales: {
    currency: string | null;
    orders: number;
    tickets: number;
    revenue: number;
    refunded: number;
    /** The last 60 minutes with a sale, oldest first. */
    byMinute: { minute: string; orders: number; tickets: number; revenue: number }[];
  };
  /** The waiting room, or null when the event has none yet. */
  queue: { enabled: boolean; rate: number; effectiveRate: number; waiting: number; serving: number } | null;
  /** Hold requests answered (HTTP and socket), and this event's journal commits. */
  holdMs: LatencyStats;
  commitMs: LatencyStats;
}
