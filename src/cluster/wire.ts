import { Packr } from 'msgpackr';
import type { Envelope, QueryName } from '../actors/event-port.ts';

// What crosses the bus between members, as plain data in msgpack: requests for an event's
// owner (commands, queries, "open it") and their replies, many to one member per frame.

export type Request =
  | { k: 'submit'; id: number; eventId: string; envelopes: Envelope[] }
  | { k: 'query'; id: number; eventId: string; name: QueryName; args: unknown }
  /** Placement chose the receiver: it takes the event's lease and starts it if it can. */
  | { k: 'open'; id: number; eventId: string }
  /** A waiting-room call for the event's owner, which keeps the room (src/cluster/rooms.ts). */
  | { k: 'room'; id: number; eventId: string; op: string; args: unknown[] }
  /** The operators' dashboard figures, from the owner, which sends them every second a while (dashboard.ts). */
  | { k: 'ops'; id: number; eventId: string };

export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; code: string; message: string };

export interface Frame {
  from: string;
  reqs?: Request[];
  reps?: Reply[];
}

const packr = new Packr({ useRecords: false, moreTypes: false });

export const encodeFrame = (f: Frame): Buffer => packr.pack(f);
export const decodeFrame = (b: Buffer): Frame => packr.unpack(b) as Frame;
