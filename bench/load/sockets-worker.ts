// A load process for the `fanout` and `connections` benches: opens SDK sockets from one
// loopback source address, optionally subscribes each to an event's seat map, and keeps
// them alive with pings.
//
// Fan-out runs measure a spread sample of the subscribers ("active": every k-th socket in
// subscription order) and pause the rest ("passive": ws.pause() stops reading, so the
// server's frames wait in the kernel's socket buffers, which hold minutes of deltas). The
// server does the same work for both — one send per subscriber per delta — but the clients
// pay only for the sample: on a 2-core machine, Node clients reading every frame of 10,000
// subscribers would need more CPU than the server and the run would measure the clients.
// After the window the passive sockets read their backlog and are checked: every one must
// reach the final version with no gap.
//
// Active subscribers record when SeatMap.onChange saw each delta; the parent sends the
// holds' acknowledgement times at the end and this process turns subscriber × hold pairs
// into a latency histogram (HdrHistogram, µs), sending back only the encoded histogram.
import * as hdr from 'hdr-histogram-js';
import type { SeatMap, SeatMapChange } from '../../client/sdk/index.ts';
import { inParallel } from '../lib/parallel.ts';
import { Float64List } from '../lib/stats.ts';
import { type BoundSocket, connectFrom } from './bound-socket.ts';
import { serve } from './pool.ts';
import { nowMs, sleep } from './server.ts';

const HELD = 1;

let url = '';
let address = '127.0.0.1';
let eventId = '';
/** holdOfSeat[seat] = index of the planned hold whose first seat it is, or -1. */
let holdOfSeat = new Int32Array(0);

interface Client extends BoundSocket {
  map: SeatMap | null;
  active: boolean;
  /** Deltas this subscriber applied while counting. */
  deltas: number;
}
const clients: Client[] = [];

// Tracking: one record per delta an active subscriber applied (version, arrival time), and,
// per version, the planned holds it carried (the frames are the same for every subscriber).
let counting = false;
let tracking = false;
const recVersion = new Float64List();
const recTime = new Float64List();
const holdsOfVersion = new Map<number, number[]>();
let cpuAtStart = process.cpuUsage();
let cpuMicros = 0;
let passiveDrain = { ms: 0, behind: 0 };

function listen(c: Client): (change: SeatMapChange, map: SeatMap) => void {
  return (change, map) => {
    if (!counting || change.kind !== 'delta') return;
    c.deltas++;
    if (!tracking || !c.active) return;
    const v = map.version;
    recVersion.push(v);
    recTime.push(nowMs());
    if (holdsOfVersion.has(v)) return;
    const holds: number[] = [];
    for (const ch of change.seats) {
      if (ch.status !== HELD || ch.seat >= holdOfSeat.length) continue;
      const h = holdOfSeat[ch.seat];
      if (h >= 0) holds.push(h);
    }
    holdsOfVersion.set(v, holds);
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${(e as { code?: string }).code ?? ''} ${e.message}`.trim() : String(e);
}

const subscribed = () => clients.filter((c) => c.map !== null);

serve({
  init(arg: { url: string; address: string; eventId: string; firstSeats: Int32Array; seatCount: number }) {
    url = arg.url;
    address = arg.address;
    eventId = arg.eventId;
    holdOfSeat = new Int32Array(arg.seatCount).fill(-1);
    arg.firstSeats.forEach((seat, i) => {
      holdOfSeat[seat] = i;
    });
    return { pid: process.pid };
  },

  /** Opens `count` more sockets (`subscribe`: and subscribes each), `concurrency` at a time. */
  async open(arg: { count: number; subscribe: boolean; concurrency: number }) {
    const started = performance.now();
    let failed = 0;
    const errors = new Map<string, number>();
    await inParallel(arg.count, arg.concurrency, async () => {
      try {
        const s = await connectFrom(address, url);
        s.sdk.onError = () => {};
        const c: Client = { ...s, map: null, active: true, deltas: 0 };
        if (arg.subscribe) {
          c.map = await s.sdk.subscribe(eventId);
          c.map.onChange(listen(c));
        }
        clients.push(c);
      } catch (e) {
        failed++;
        const k = errorText(e);
        errors.set(k, (errors.get(k) ?? 0) + 1);
      }
    });
    return {
      open: clients.length,
      failed,
      errors: Object.fromEntries(errors),
      ms: performance.now() - started,
    };
  },

  /** Every socket pings once per `intervalMs` (start times staggered) for `seconds`. */
  async ping(arg: { seconds: number; intervalMs: number }) {
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
    let ok = 0;
    let failed = 0;
    const until = performance.now() + arg.seconds * 1000;
    await Promise.all(
      clients.map(async (c, i) => {
        await sleep((i * arg.intervalMs) / clients.length);
        while (performance.now() < until) {
          const t = performance.now();
          try {
            await c.sdk.ping();
            ok++;
            h.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
          } catch {
            failed++;
          }
          const wait = t + arg.intervalMs - performance.now();
          if (wait > 0) await sleep(wait);
        }
      }),
    );
    return { ok, failed, hist: hdr.encodeIntoCompressedBase64(h) };
  },

  /**
   * Starts a measured window: every `activeEvery`-th subscriber (in this process's
   * subscription order) records its deltas, the others stop reading.
   */
  arm(arg: { activeEvery: number }) {
    recVersion.clear();
    recTime.clear();
    holdsOfVersion.clear();
    subscribed().forEach((c, i) => {
      c.active = i % arg.activeEvery === 0;
      c.deltas = 0;
      if (!c.active) c.ws.pause();
    });
    cpuAtStart = process.cpuUsage();
    counting = true;
    tracking = true;
    return { active: subscribed().filter((c) => c.active).length };
  },

  /**
   * Ends the window: active subscribers stop recording; passive ones read their backlog
   * until each is at `version` (the event's version after the window's last hold).
   */
  async disarm(arg: { version: number; timeoutMs: number }) {
    tracking = false;
    const d = process.cpuUsage(cpuAtStart);
    cpuMicros = d.user + d.system;
    const started = performance.now();
    const passive = subscribed().filter((c) => !c.active);
    for (const c of passive) c.ws.resume();
    const until = started + arg.timeoutMs;
    while (performance.now() < until && passive.some((c) => c.map!.version < arg.version)) await sleep(20);
    passiveDrain = {
      ms: performance.now() - started,
      behind: subscribed().filter((c) => c.map!.version < arg.version).length,
    };
    counting = false;
    return passiveDrain;
  },

  /**
   * Latency of every active subscriber × hold pair: arrival minus the hold's
   * acknowledgement at the driver (acks[i], NaN when hold i was not acknowledged).
   */
  result(arg: { acks: Float64Array }) {
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
    const acks = arg.acks;
    let pairs = 0;
    let early = 0;
    for (let i = 0; i < recVersion.length; i++) {
      const holds = holdsOfVersion.get(recVersion.data[i]);
      if (!holds) continue;
      const t = recTime.data[i];
      for (const k of holds) {
        const ack = acks[k];
        if (Number.isNaN(ack)) continue;
        const micros = Math.round((t - ack) * 1000);
        // A delta may be decoded here before the ack is decoded in the driver process.
        if (micros < 1) early++;
        h.recordValue(Math.max(1, micros));
        pairs++;
      }
    }
    const subs = subscribed();
    return {
      subscribers: subs.length,
      active: subs.filter((c) => c.active).length,
      delivered: subs.reduce((n, c) => n + c.deltas, 0),
      pairs,
      early,
      resyncs: subs.reduce((n, c) => n + c.sdk.resyncs, 0),
      behind: passiveDrain.behind,
      drainMs: passiveDrain.ms,
      cpuMicros,
      hist: hdr.encodeIntoCompressedBase64(h),
    };
  },

  /** Every open socket pings once, `concurrency` at a time: how many answered (the sockets alive). */
  async alive(arg: { concurrency: number; timeoutMs: number }) {
    let answered = 0;
    const errors = new Map<string, number>();
    await inParallel(clients.length, arg.concurrency, async (i) => {
      const c = clients[i];
      try {
        await Promise.race([
          c.sdk.ping(),
          sleep(arg.timeoutMs).then(() => {
            throw new Error(`no pong within ${arg.timeoutMs} ms`);
          }),
        ]);
        answered++;
      } catch (e) {
        const k = errorText(e);
        errors.set(k, (errors.get(k) ?? 0) + 1);
      }
    });
    return { answered, sockets: clients.length, errors: Object.fromEntries(errors) };
  },

  async close() {
    const all = clients.splice(0);
    await Promise.all(all.map((c) => c.sdk.close().catch(() => {})));
    return { closed: all.length };
  },
});
