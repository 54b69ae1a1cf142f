import { Packr } from 'msgpackr';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnsaleSocket } from '../../client/sdk/index.ts';
import { decode } from '../../src/gateway/frames.ts';
import {
  EVENT,
  type Gateway,
  http,
  type Msg,
  RawClient,
  seatsSnapshot,
  stateDigest,
  TrackedWebSocket,
} from './support.ts';

// Thousands of random frames over several anonymous sockets: random bytes, random msgpack
// values (extensions included), valid messages mutated field by field or byte by byte, and
// random or broken JSON. No command can apply without a session, so afterwards the seat
// map must be exactly as before; the server must still be up, every fuzzed socket still
// open and answering, and every frame the protocol rejects must have had exactly one
// INVALID_MESSAGE error. The seed is printed on failure; FUZZ_SEED=<n> replays a run.

const FRAMES = 12_000;
const SOCKETS = 4;
/** Frames between round trips: keeps what the server queues per socket small. */
const BATCH = 60;
const MAX_FRAME = 16 * 1024;

function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)],
  };
}
type Rng = ReturnType<typeof prng>;

const KEYS = [
  't',
  'e',
  'id',
  'seats',
  'best',
  'ga',
  'key',
  'access',
  'hold',
  'seconds',
  'token',
  'count',
  'area',
  'filter',
  '__proto__',
  'constructor',
  'toString',
  '',
];
const TYPES = [
  'auth',
  'sub',
  'unsub',
  'resync',
  'qsub',
  'qunsub',
  'osub',
  'ounsub',
  'ping',
  'hold',
  'release',
  'extend',
  'snap',
  'delta',
  'book',
  'admin',
  '',
];

function randomString(r: Rng): string {
  switch (r.int(5)) {
    case 0:
      return r.pick(TYPES);
    case 1:
      return r.pick([EVENT, 'demo-stadium~x', '101-A-1', 'GA1', 'no-such-event']);
    case 2:
      return String.fromCharCode(...Array.from({ length: r.int(12) }, () => r.int(0x3000)));
    case 3:
      return 'x'.repeat(r.int(300));
    default:
      return r
        .int(2 ** 31)
        .toString(36)
        .slice(0, r.int(8));
  }
}

function randomValue(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 3 ? 8 : 12);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.int(200) - 50;
    case 3:
      return r.pick([1.5, -1, 2 ** 31, 2 ** 53 + 2, Number.NaN, Number.POSITIVE_INFINITY, -0, 1e9, 100, 101]);
    case 4:
    case 5:
      return randomString(r);
    case 6:
      return new Uint8Array(Array.from({ length: r.int(16) }, () => r.int(256)));
    case 7:
      return r.pick([new Date(r.int(2 ** 40)), BigInt(r.int(1000)) * 10n ** 15n, undefined]);
    case 8:
    case 9:
      return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    case 10:
      return r.chance(0.5)
        ? new Set([randomValue(r, depth + 1)])
        : new Map([[randomString(r), randomValue(r, depth + 1)]]);
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--) o[r.pick(KEYS)] = randomValue(r, depth + 1);
      if (r.chance(0.5)) o.t = r.pick(TYPES);
      return o;
    }
  }
}

/** Well-formed messages of every type, to mutate. */
function template(r: Rng): Record<string, unknown> {
  const id = r.chance(0.5) ? r.int(1000) : `r${r.int(1000)}`;
  return r.pick([
    () => ({ t: 'sub', e: r.chance(0.1) ? EVENT : 'no-such-event' }),
    () => ({ t: 'unsub', e: EVENT }),
    () => ({ t: 'resync', e: r.chance(0.1) ? EVENT : 'no-such-event' }),
    () => ({ t: 'qsub', e: EVENT }),
    () => ({ t: 'qunsub', e: EVENT }),
    () => ({ t: 'osub', e: r.chance(0.5) ? EVENT : 'no-such-event' }),
    () => ({ t: 'ounsub', e: EVENT }),
    () => ({ t: 'ping', id }),
    () => ({ t: 'auth', token: r.chance(0.5) ? 'A'.repeat(43) : randomString(r) || 'x' }),
    () => ({ t: 'hold', id, e: EVENT, seats: ['101-A-1', '101-A-2'] }),
    () => ({
      t: 'hold',
      id,
      e: EVENT,
      best: { count: 2, filter: { categories: ['P1'], accessible: false } },
    }),
    () => ({ t: 'hold', id, e: EVENT, ga: { area: 'GA1', count: 1 }, key: 'k', access: 'a' }),
    () => ({ t: 'release', id, hold: 'demo-stadium~abc', key: 'k' }),
    () => ({ t: 'extend', id, hold: 'demo-stadium~abc', seconds: 60 }),
  ])();
}

function mutate(r: Rng, msg: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = structuredClone(msg);
  for (let n = 1 + r.int(3); n > 0; n--) {
    const keys = Object.keys(out);
    switch (r.int(6)) {
      case 0:
        if (keys.length > 0) delete out[r.pick(keys)];
        break;
      case 1:
        if (keys.length > 0) out[r.pick(keys)] = randomValue(r);
        break;
      case 2:
        out[r.pick(KEYS)] = randomValue(r);
        break;
      case 3:
        out.t = r.pick(TYPES);
        break;
      case 4: {
        const nested = keys.find((k) => typeof out[k] === 'object' && out[k] !== null);
        if (nested) (out[nested] as Record<string, unknown>)[r.pick(KEYS)] = randomValue(r);
        break;
      }
      default:
        return r.chance(0.5) ? [out] : { wrapped: out };
    }
  }
  return out;
}

function mutateBytes(r: Rng, bytes: Uint8Array): Buffer {
  const b = Buffer.from(bytes);
  switch (r.int(4)) {
    case 0:
      for (let i = 1 + r.int(3); i > 0 && b.length > 0; i--) b[r.int(b.length)] = r.int(256);
      return b;
    case 1:
      return b.subarray(0, r.int(b.length + 1));
    case 2:
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + r.int(8) }, () => r.int(256)))]);
    default: {
      const at = r.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), Buffer.from([r.int(256)]), b.subarray(at)]);
    }
  }
}

const packers = [
  new Packr({ useRecords: false }),
  new Packr({ useRecords: true }),
  new Packr({ structuredClone: true }),
];

function pack(r: Rng, value: unknown): Buffer | null {
  try {
    return Buffer.from(r.pick(packers).pack(value));
  } catch {
    return null; // values msgpackr cannot encode (huge BigInts…)
  }
}

/** One random frame: binary (Buffer) or text (string). */
function randomFrame(r: Rng): Buffer | string {
  for (;;) {
    let frame: Buffer | string | null;
    const kind = r.int(100);
    if (kind < 18) {
      const len = r.chance(0.9) ? r.int(64) : r.int(MAX_FRAME);
      frame = Buffer.from(Array.from({ length: len }, () => r.int(256)));
    } else if (kind < 36) frame = pack(r, randomValue(r));
    else if (kind < 62) frame = pack(r, mutate(r, template(r)));
    else if (kind < 72) frame = mutateBytes(r, pack(r, template(r)) ?? Buffer.alloc(0));
    else if (kind < 77) {
      // Extension frames: fixext 1/2/4/8/16 and ext 8 with random types and bodies.
      const head = r.pick([0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xc7]);
      const size = { 212: 1, 213: 2, 214: 4, 215: 8, 216: 16, 199: r.int(40) }[head]!;
      const body = Array.from({ length: size }, () => r.int(256));
      frame = Buffer.from(head === 0xc7 ? [head, size, r.int(256), ...body] : [head, r.int(256), ...body]);
    } else if (kind < 92) {
      const value = r.chance(0.6) ? mutate(r, template(r)) : randomValue(r);
      let text: string;
      try {
        text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) ?? 'undefined';
      } catch {
        text = '{"t":"sub","e":{"toJSON":'; // a value JSON cannot encode (a Date under a __proto__ key…)
      }
      if (r.chance(0.3)) text = text.slice(0, r.int(text.length + 1));
      if (r.chance(0.1)) text = `${text}${r.pick(['}', ']', ',', '"', '\\', '\u0000', 'NaN'])}`;
      frame = text;
    } else frame = pack(r, template(r));
    if (frame !== null && Buffer.byteLength(frame) <= MAX_FRAME) return frame;
  }
}

/** Would the protocol accept this frame? (The server's own decoder is the oracle.) */
function accepted(frame: Buffer | string): boolean {
  try {
    const bytes = typeof frame === 'string' ? Buffer.from(frame) : frame;
    decode(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      typeof frame !== 'string',
    );
    return true;
  } catch {
    return false;
  }
}

export function fuzzSuite(server: () => Gateway): void {
  let gw: Gateway;
  beforeAll(() => {
    gw = server();
  });

  describe('fuzzing the socket', () => {
    it(`given ${FRAMES} random frames over ${SOCKETS} anonymous sockets, then each rejected frame gets one INVALID_MESSAGE, nothing applies, and the server and its sockets stay up`, async () => {
      const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const context = `FUZZ_SEED=${seed}`;
      const r = prng(seed);
      const before = await stateDigest(gw);
      const snapshot = await seatsSnapshot(gw);
      const clients = await Promise.all(
        Array.from({ length: SOCKETS }, (_, i) => RawClient.open(gw, { json: i === SOCKETS - 1 })),
      );
      const openBefore = gw.server.sockets();

      // Frames are drawn up front from one generator, so a seed replays the same run.
      const plan = clients.map(() => Array.from({ length: FRAMES / SOCKETS }, () => randomFrame(r)));
      const stats = { sent: 0, rejected: 0, invalidErrors: 0, otherErrors: 0, snaps: 0, pongs: 0 };
      const forbidden: Msg[] = [];

      await Promise.all(
        clients.map(async (c, i) => {
          const frames = plan[i];
          for (let at = 0; at < frames.length; at += BATCH) {
            let rejected = 0;
            for (const frame of frames.slice(at, at + BATCH)) {
              c.sendRaw(frame);
              if (!accepted(frame)) rejected++;
            }
            const got = await c.barrier(10_000);
            const invalid = got.filter(
              (m) => m.t === 'error' && m.code === 'INVALID_MESSAGE' && m.id === undefined,
            );
            expect(invalid.length, `${context}: INVALID_MESSAGE errors for socket ${i}, frames ${at}..`).toBe(
              rejected,
            );
            for (const m of got) {
              if (m.t === 'error' && m.code !== 'INVALID_MESSAGE') stats.otherErrors++;
              else if (m.t === 'snap') stats.snaps++;
              else if (m.t === 'pong') stats.pongs++;
              // Without a session nothing may succeed or authenticate.
              if ((m.t === 'reply' && m.ok !== false) || m.t === 'authed') forbidden.push(m);
            }
            stats.sent += Math.min(BATCH, frames.length - at);
            stats.rejected += rejected;
            stats.invalidErrors += invalid.length;
          }
        }),
      );

      expect(stats.sent).toBe(FRAMES);
      expect(forbidden, context).toEqual([]);
      // The mix exercised both sides of the decoder.
      expect(stats.rejected).toBeGreaterThan(FRAMES / 2);
      expect(FRAMES - stats.rejected).toBeGreaterThan(200);
      expect(stats.otherErrors).toBeGreaterThan(0);

      // Every fuzzed socket is still open and answering.
      for (const c of clients) {
        expect(c.isOpen, context).toBe(true);
        await c.barrier();
      }
      expect(gw.server.sockets()).toBe(openBefore);
      // Nothing applied: the whole event state, version and status bytes included.
      expect(await stateDigest(gw), context).toEqual(before);
      const after = await seatsSnapshot(gw);
      expect(after.version).toBe(snapshot.version);
      expect(Buffer.from(after.status).equals(Buffer.from(snapshot.status))).toBe(true);
      // The server is up and new sockets get the same map.
      expect((await http(gw, 'GET', '/healthz')).status).toBe(200);
      const sdk = await OnsaleSocket.connect(gw.wsUrl, { WebSocket: TrackedWebSocket });
      const map = await sdk.subscribe(EVENT);
      expect(map.version).toBe(snapshot.version);
      expect(Buffer.from(map.status).equals(Buffer.from(snapshot.status))).toBe(true);
      await sdk.close();
      await Promise.all(clients.map((c) => c.close()));
    });
  });
}
