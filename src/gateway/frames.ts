import { Packr } from 'msgpackr';
import { type ClientMessage, PACKR_OPTIONS, parseClientMessage } from '../../client/sdk/protocol.ts';

// Socket frames on the server side: one encoding of a message per socket kind (msgpack for
// binary sockets, JSON text for ?format=json ones, where bytes travel as base64).

export const packr = new Packr(PACKR_OPTIONS);

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
  const parsed = parseClientMessage(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.message;
}
