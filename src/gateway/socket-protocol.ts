import { Packr } from 'msgpackr';
import { z } from 'zod';
import { bestFilterSchema } from '../domain/commands.ts';

// The live seat-map protocol: frame shapes and their encoding. Binary frames are msgpack
// maps; a socket opened with ?format=json gets the same maps as JSON text (for debugging).
// docs/protocol.md describes every message.

export const packr = new Packr({ useRecords: false });

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const printable = /^[^\u0000-\u001f\u007f]*$/;
/** Event, seat, area, hold ids and idempotency keys as clients send them (HTTP too). */
export const publicId = z.string().min(1).max(128).regex(printable, 'ids may not hold control characters');
const id = publicId;
const reqId = z.union([z.number().int().nonnegative(), z.string().min(1).max(64).regex(printable)]);
const token = (max: number) => z.string().min(1).max(max).regex(printable, 'tokens are printable');

export const clientMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('auth'), token: token(512) }).strict(),
  z.object({ t: z.literal('sub'), e: id }).strict(),
  z.object({ t: z.literal('unsub'), e: id }).strict(),
  z.object({ t: z.literal('resync'), e: id }).strict(),
  z.object({ t: z.literal('qsub'), e: id }).strict(),
  z.object({ t: z.literal('qunsub'), e: id }).strict(),
  z.object({ t: z.literal('ping'), id: reqId }).strict(),
  z
    .object({
      t: z.literal('hold'),
      id: reqId,
      e: id,
      seats: z.array(id).min(1).max(100).optional(),
      best: z
        .object({ count: z.number().int().min(1).max(100), filter: bestFilterSchema.optional() })
        .strict()
        .optional(),
      ga: z
        .object({ area: id, count: z.number().int().min(1).max(100) })
        .strict()
        .optional(),
      key: id.optional(),
      access: token(2048).optional(),
    })
    .strict(),
  z.object({ t: z.literal('release'), id: reqId, hold: id, key: id.optional() }).strict(),
  z
    .object({ t: z.literal('extend'), id: reqId, hold: id, seconds: z.number().int().min(1).max(3600) })
    .strict(),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;

export function seatTopic(eventId: string, json: boolean): string {
  return `${json ? 'seats-json' : 'seats'}/${eventId}`;
}

export function queueTopic(eventId: string, json: boolean): string {
  return `${json ? 'queue-json' : 'queue'}/${eventId}`;
}

/** Encodes one server message for a binary or a JSON socket. Top-level bytes travel as base64 in JSON. */
export function encode(msg: Record<string, unknown>, json: boolean): Uint8Array | string {
  if (!json) return packr.pack(msg);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg))
    out[k] = v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
  return JSON.stringify(out);
}

/** Decodes a client frame; throws on anything that is not a well-formed message. */
export function decode(data: ArrayBuffer, isBinary: boolean): ClientMessage {
  const raw = isBinary ? packr.unpack(new Uint8Array(data)) : JSON.parse(Buffer.from(data).toString('utf8'));
  const parsed = clientMessageSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new Error(`${where}${issue?.message ?? 'malformed message'}`);
}
