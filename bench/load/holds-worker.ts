// A load process for the `ws-holds` bench: SDK sockets from one loopback source address,
// each signed in as its own fan and owning a disjoint pool of seats. Every hold is followed
// by the release of the same hold (so the map never fills and each fan stays under the
// per-fan limit); the latency recorded is the hold's, from the moment it was due to its
// reply (an open-loop schedule is not excused for a late send). The same cycle over HTTP
// (POST /api/holds, DELETE /api/holds/:id on kept-alive connections) is the baseline.
import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import * as hdr from 'hdr-histogram-js';
import { ApiError, type OnsaleSocket } from '../../client/sdk/index.ts';
import { httpRequest } from '../lib/http.ts';
import { inParallel } from '../lib/parallel.ts';
import { connectFrom, errorOf } from './bound-socket.ts';
import { serve } from './pool.ts';
import { sleep } from './server.ts';

interface Fan {
  socket: OnsaleSocket | null;
  tcp: Socket | null;
  corked: boolean;
  token: string;
  seats: string[];
  next: number;
}

let httpUrl = '';
let eventId = '';
const fans: Fan[] = [];
/** Sockets the server closed on us, by close code and reason (there should be none). */
const closes = new Map<string, number>();
let agent: Agent | null = null;

function histogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
}

class Tally {
  hist = histogram();
  holds = 0;
  releases = 0;
  errors = new Map<string, number>();

  error(e: unknown): void {
    const code = e instanceof ApiError ? e.code : e instanceof Error ? e.message.slice(0, 80) : String(e);
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  result(seconds: number) {
    return {
      holds: this.holds,
      releases: this.releases,
      seconds,
      errors: Object.fromEntries([...this.errors, ...closes]),
      hist: hdr.encodeIntoCompressedBase64(this.hist),
    };
  }
}

const seatOf = (f: Fan) => f.seats[f.next++ % f.seats.length];

/**
 * Requests a fan sends in one loop turn leave in one TCP write: replies arrive several to a
 * read, and each would otherwise send its follow-up as its own syscall. The load processes
 * share the cores with the server here; what they save, the server gets.
 */
function cork(f: Fan): void {
  const tcp = f.tcp;
  if (!tcp || f.corked) return;
  f.corked = true;
  tcp.cork();
  setImmediate(() => {
    f.corked = false;
    tcp.uncork();
  });
}

/**
 * One hold and its release over the fan's socket; records the hold's latency from `due`.
 * False once the socket has closed (its lanes stop instead of spinning on CLOSED).
 */
async function socketCycle(f: Fan, due: number, t: Tally): Promise<boolean> {
  const s = f.socket!;
  try {
    cork(f);
    const held = await s.hold({ eventId, seats: [seatOf(f)] });
    t.hist.recordValue(Math.max(1, Math.round((performance.now() - due) * 1000)));
    t.holds++;
    cork(f);
    await s.release(held.holdId);
    t.releases++;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'CLOSED') return false;
    t.error(e);
  }
  return true;
}

/** One request on the kept-alive agent; resolves with the response body, rejects on a non-2xx status. */
async function http(method: string, path: string, token: string, body?: string): Promise<string> {
  const headers = {
    authorization: `Bearer ${token}`,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  };
  const r = await httpRequest(agent!, `${httpUrl}${path}`, method, headers, body);
  if (r.status >= 300) throw new Error(`${r.status} ${r.text.slice(0, 60)}`);
  return r.text;
}

async function httpCycle(f: Fan, due: number, t: Tally): Promise<boolean> {
  try {
    const reply = await http('POST', '/api/holds', f.token, JSON.stringify({ eventId, seats: [seatOf(f)] }));
    const { holdId } = JSON.parse(reply) as { holdId: string };
    t.hist.recordValue(Math.max(1, Math.round((performance.now() - due) * 1000)));
    t.holds++;
    await http('DELETE', `/api/holds/${encodeURIComponent(holdId)}`, f.token);
    t.releases++;
  } catch (e) {
    t.error(e);
  }
  return true;
}

serve({
  /** Opens one socket per fan (signed in with its token) from `address`. */
  async init(arg: {
    url: string;
    wsUrl: string;
    address: string;
    eventId: string;
    fans: { token: string; seats: string[] }[];
  }) {
    httpUrl = arg.url;
    eventId = arg.eventId;
    agent = new Agent({ keepAlive: true, maxSockets: 1024, localAddress: arg.address });
    const started = performance.now();
    await inParallel(arg.fans.length, 50, async (i) => {
      const { token, seats } = arg.fans[i];
      const { sdk, ws, tcp } = await connectFrom(arg.address, arg.wsUrl, token);
      fans.push({ socket: sdk, tcp, corked: false, token, seats, next: 0 });
      sdk.whenClosed().then(({ code, reason }) => {
        const k = `closed ${code} ${reason} ${errorOf(ws) ?? ''}`.trim();
        closes.set(k, (closes.get(k) ?? 0) + 1);
      });
    });
    return { sockets: fans.length, ms: performance.now() - started };
  },

  /** Closed loop: `depth` hold+release cycles in flight per fan, for `seconds`. */
  async closed(arg: { seconds: number; depth: number; via: 'socket' | 'http' }) {
    const t = new Tally();
    const cycle = arg.via === 'socket' ? socketCycle : httpCycle;
    const started = performance.now();
    const until = started + arg.seconds * 1000;
    await Promise.all(
      fans.flatMap((f) =>
        Array.from({ length: arg.depth }, async () => {
          while (performance.now() < until && (await cycle(f, performance.now(), t)));
        }),
      ),
    );
    return t.result((performance.now() - started) / 1000);
  },

  /** Open loop: `rate` holds per second from this process, round-robin over the fans. */
  async open(arg: { seconds: number; rate: number }) {
    const t = new Tally();
    const inFlight = new Set<Promise<unknown>>();
    const started = performance.now();
    const total = Math.round(arg.seconds * arg.rate);
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * arg.rate) + 1);
      for (; sent < due; sent++) {
        const at = started + (sent / arg.rate) * 1000;
        const p: Promise<unknown> = socketCycle(fans[sent % fans.length], at, t).finally(() =>
          inFlight.delete(p),
        );
        inFlight.add(p);
      }
      await sleep(1);
    }
    await Promise.all(inFlight);
    return t.result((performance.now() - started) / 1000);
  },

  async close() {
    agent?.destroy();
    closes.clear(); // ours from here on
    await Promise.all(fans.splice(0).map((f) => f.socket?.close().catch(() => {})));
    return {};
  },
});
