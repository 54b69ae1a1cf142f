// Live seat-map fan-out through the real server: N SDK subscribers on the demo stadium while
// holds flow at a fixed rate, the server in its own process, the subscribers in several load
// processes on several loopback source addresses. For every hold: the time its
// acknowledgement reached the driver, and the time its delta reached each measured
// subscriber (SeatMap.onChange); fan-out latency is the difference, over all subscriber ×
// hold pairs. The server coalesces deltas per 50 ms tick, so up to one tick of it is the
// wait for the tick.
//
// Latency is measured at a sample of `active` subscribers spread over the subscription
// order; the others stop reading during the window (their frames wait in the kernel's
// buffers, the server's work is the same) and must catch up without a gap afterwards —
// see bench/load/sockets-worker.ts for why. Server CPU (/proc/<pid>/stat) over the window
// is divided by the delta frames all subscribers received.
//
// The server runs on a database of its own (a new Postgres schema when DATABASE_URL is set,
// else a new PGlite directory), dropped at the end: holds of an earlier run are never there.
// A window fails the run unless 99 % of its holds were accepted and 99 % of its subscribers
// opened.
//
//   npm run bench -- fanout
//   options (key=value): subscribers=1000,10000,19000 active=250 rate=200 seconds=8 workers=4
import { Agent } from 'node:http';
import * as hdr from 'hdr-histogram-js';
import { check, commonest, expectCount } from '../lib/checks.ts';
import { maxMs, percentileMs } from '../lib/histogram.ts';
import { httpRequest } from '../lib/http.ts';
import { parseOptions } from '../lib/options.ts';
import { printJson, printTable, round } from '../lib/stats.ts';
import { forkWorkers, killAll, shares, type Worker } from '../load/pool.ts';
import { demoLayout, EVENT_ID, seatGroups } from '../load/seats.ts';
import {
  bucketP99,
  cpuMicros,
  netCounters,
  nowMs,
  type ServerUnderTest,
  scrapeMetrics,
  sleep,
  startServer,
} from '../load/server.ts';
import { initSocketWorkers } from '../load/sockets.ts';

/** Share of a window's holds that must be accepted, and of its subscribers that must open. */
const MIN_SHARE = 0.99;

const DEFAULTS = {
  subscribers: [1000, 10_000, 19_000],
  active: 250,
  rate: 200,
  seconds: 8,
  workers: 4,
  baselineSeconds: 4,
};

export interface WorkerResult {
  subscribers: number;
  active: number;
  behind: number;
  drainMs: number;
  delivered: number;
  pairs: number;
  early: number;
  resyncs: number;
  cpuMicros: number;
  hist: string;
}

/** POSTs one raw hold to the internal API on a kept-alive connection; resolves with null when it was accepted, else why not. */
async function postHold(agent: Agent, url: string, body: string, eventId: string): Promise<string | null> {
  const r = await httpRequest(agent, `${url}/internal/events/${eventId}/commands`, 'POST', JSON_TYPE, body);
  if (r.status !== 200) return `HTTP ${r.status} ${r.text.slice(0, 80)}`;
  const out = (JSON.parse(r.text) as { outcomes?: { ok: boolean; error?: { code?: string } }[] })
    .outcomes?.[0];
  return out?.ok === true ? null : (out?.error?.code ?? 'no outcome');
}

const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * Sends holds from..to-1 at `rate` per second, one request each (node:http, kept-alive
 * connections: the least work between the reply leaving the server and the ack time taken
 * here); acks[i] = when hold i's reply arrived.
 */
export async function driveHolds(
  server: { url: string },
  agent: Agent,
  plan: number[][],
  from: number,
  to: number,
  rate: number,
  acks: Float64Array,
  eventId = EVENT_ID,
): Promise<{ acked: number; failed: number; firstError: string | null; ackP99Ms: number }> {
  const ackLatency: number[] = [];
  let failed = 0;
  let firstError: string | null = null;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const send = (i: number) => {
    const body = JSON.stringify({
      commands: [
        { command: { type: 'hold', holdId: `fanout-${i}`, fanId: `fanout-fan-${i}`, seats: plan[i] } },
      ],
    });
    const sent = nowMs();
    const p = postHold(agent, server.url, body, eventId)
      .then(
        (error) => {
          const at = nowMs();
          if (error === null) {
            acks[i] = at;
            ackLatency.push(at - sent);
          } else {
            failed++;
            firstError ??= error;
          }
        },
        (e: unknown) => {
          failed++;
          firstError ??= (e as Error).message;
        },
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  let next = from;
  while (next < to) {
    const due = from + Math.floor(((performance.now() - started) / 1000) * rate) + 1;
    while (next < to && next < due) send(next++);
    await sleep(Math.max(1, 1000 / rate / 2));
  }
  await Promise.all(inFlight);
  ackLatency.sort((a, b) => a - b);
  return {
    acked: ackLatency.length,
    failed,
    firstError,
    ackP99Ms: ackLatency[Math.floor(ackLatency.length * 0.99)] ?? Number.NaN,
  };
}

/** The event's version now (after the window's holds were acknowledged). */
export async function eventVersion(server: { url: string }, eventId = EVENT_ID): Promise<number> {
  const r = await fetch(`${server.url}/api/events/${eventId}/seats`);
  if (!r.ok) throw new Error(`GET seats: ${r.status}`);
  return ((await r.json()) as { version: number }).version;
}

export async function run(args: string[]): Promise<void> {
  const opts = parseOptions(args, DEFAULTS);
  const layout = demoLayout();
  // Warm-up (JIT, first journal writes; not reported), the baseline without subscribers, the runs.
  const phases = [
    { name: 'warmup', subscribers: 0, seconds: 3 },
    { name: 'baseline', subscribers: 0, seconds: opts.baselineSeconds },
    ...opts.subscribers.map((n) => ({ name: 'run', subscribers: n, seconds: opts.seconds })),
  ];
  const holdsOf = phases.map((p) => Math.ceil(opts.rate * p.seconds));
  const total = holdsOf.reduce((a, b) => a + b, 0);
  const plan = seatGroups(layout, 0xfa0).slice(0, total);
  if (plan.length < total) throw new Error('not enough seats for the planned holds');
  const maxSubs = Math.max(...opts.subscribers);

  let server: ServerUnderTest | null = null;
  let workers: Worker[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  try {
    server = await startServer({
      ONSALE_MAX_SOCKETS: String(Math.max(19_000, maxSubs)),
      ONSALE_MAX_SOCKETS_PER_IP: String(maxSubs),
    });
    workers = forkWorkers('./sockets-worker.ts', opts.workers);
    const firstSeats = Int32Array.from(plan, (g) => g[0]);
    await initSocketWorkers(workers, server.wsUrl, firstSeats);

    const rows: Record<string, string | number>[] = [];
    const results: {
      subscribers: number;
      p50FanoutMs: number;
      p99FanoutMs: number;
      cpuMicrosPerDelivered: number;
    }[] = [];
    let open = 0;
    let baselineCpuPerSec = 0;
    let from = 0;
    for (let r = 0; r < phases.length; r++) {
      const phase = phases[r];
      if (phase.subscribers > open) {
        const t = performance.now();
        const opened = await Promise.all(
          shares(phase.subscribers - open, workers.length).map((n, i) =>
            workers[i].call<{ open: number; failed: number; errors: Record<string, number> }>('open', {
              count: n,
              subscribe: true,
              concurrency: 100,
            }),
          ),
        );
        open = opened.reduce((n, o) => n + o.open, 0);
        const failed = opened.reduce((n, o) => n + o.failed, 0);
        console.error(
          `fanout: ${open} subscribers open (${failed} failed) in ${round((performance.now() - t) / 1000, 1)} s` +
            (failed > 0 ? ` ${JSON.stringify(opened.map((o) => o.errors))}` : ''),
        );
        expectCount('fanout', 'subscribers were open', open, phase.subscribers, {
          minShare: MIN_SHARE,
          commonError: commonest(opened.map((o) => o.errors)),
        });
        await sleep(1000);
      }
      const acks = new Float64Array(plan.length).fill(Number.NaN);
      const activeEvery = Math.max(1, Math.round(phase.subscribers / opts.active));
      await Promise.all(workers.map((w) => w.call('arm', { activeEvery })));
      const m0 = await scrapeMetrics(server);
      const cpu0 = cpuMicros(server.pid);
      const net0 = netCounters();
      const t0 = performance.now();
      const drive = await driveHolds(server, agent, plan, from, from + holdsOf[r], opts.rate, acks);
      from += holdsOf[r];
      expectCount(
        'fanout',
        `holds were accepted in the ${phase.name} window with ${phase.subscribers} subscribers`,
        drive.acked,
        holdsOf[r],
        {
          minShare: MIN_SHARE,
          firstError: drive.firstError,
        },
      );
      await sleep(1000); // the last ticks' deltas
      const cpu = cpuMicros(server.pid) - cpu0;
      const wall = (performance.now() - t0) / 1000;
      const net1 = netCounters();
      const drops = net1.backlogDrops - net0.backlogDrops;
      const retransmits = net1.retransmits - net0.retransmits;
      const m1 = await scrapeMetrics(server);
      const delta = (k: string) => (m1.get(k) ?? 0) - (m0.get(k) ?? 0);
      const publishMs = round(
        (delta('onsale_fanout_seconds_sum') / Math.max(1, delta('onsale_fanout_seconds_count'))) * 1000,
        2,
      );
      const serverAckP99Ms =
        bucketP99(
          m0,
          m1,
          'onsale_http_request_seconds_bucket',
          'route="POST /internal/events/:id/commands"',
        ) * 1000;
      const commitP99Ms = bucketP99(m0, m1, 'onsale_journal_commit_seconds_bucket', '') * 1000;
      const loopLagP99Ms = round((m1.get('nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000, 1);
      // What the server saw of the window, the same columns for every row.
      const seenByServer = {
        'server ack p99 ≤ ms': serverAckP99Ms,
        'commit p99 ≤ ms': commitP99Ms,
        'commit→publish ms': publishMs,
        'loop lag p99 ms': loopLagP99Ms,
        'backlog drops': drops,
        retransmits,
      };
      const version = await eventVersion(server);
      await Promise.all(workers.map((w) => w.call('disarm', { version, timeoutMs: 60_000 })));
      if (phase.name === 'warmup') continue;
      if (phase.name === 'baseline') {
        baselineCpuPerSec = cpu / wall;
        rows.push({
          subscribers: 0,
          measured: 0,
          holds: drive.acked,
          'ack p99 ms': round(drive.ackP99Ms, 1),
          'p50 ms': '-',
          'p99 ms': '-',
          'p99.9 ms': '-',
          'max ms': '-',
          'delivered/s': 0,
          'missing pairs': '-',
          'server cpu %': round((cpu / wall / 1e6) * 100),
          'client cpu %': '-',
          'cpu µs/delivered': '-',
          'net µs/delivered': '-',
          ...seenByServer,
        });
        continue;
      }
      const parts = await Promise.all(workers.map((w) => w.call<WorkerResult>('result', { acks })));
      const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
      for (const p of parts) h.add(hdr.decodeFromCompressedBase64(p.hist));
      const sum = (f: (p: WorkerResult) => number) => parts.reduce((n, p) => n + f(p), 0);
      const subscribers = sum((p) => p.subscribers);
      const active = sum((p) => p.active);
      const delivered = sum((p) => p.delivered);
      const pairs = sum((p) => p.pairs);
      check(
        pairs > 0 && delivered > 0,
        `fanout: ${subscribers} subscribers: no delta reached a measured subscriber ` +
          `(${delivered} frames delivered, ${drive.acked} holds accepted)`,
      );
      const what = `fan-out latency (${subscribers} subscribers)`;
      const res = {
        subscribers,
        p50FanoutMs: round(percentileMs(h, 50, what), 1),
        p99FanoutMs: round(percentileMs(h, 99, what), 1),
        cpuMicrosPerDelivered: round(cpu / delivered, 2),
        holds: drive.acked,
        holdsFailed: drive.failed,
        pairs,
      };
      results.push(res);
      rows.push({
        subscribers,
        measured: active,
        holds: drive.acked,
        'ack p99 ms': round(drive.ackP99Ms, 1),
        'p50 ms': res.p50FanoutMs,
        'p99 ms': res.p99FanoutMs,
        'p99.9 ms': round(percentileMs(h, 99.9, what), 1),
        'max ms': round(maxMs(h, what), 1),
        'delivered/s': round(delivered / wall),
        'missing pairs': active * drive.acked - pairs,
        'server cpu %': round((cpu / wall / 1e6) * 100),
        'client cpu %': round((sum((p) => p.cpuMicros) / wall / 1e6) * 100),
        'cpu µs/delivered': res.cpuMicrosPerDelivered,
        'net µs/delivered': round((cpu - baselineCpuPerSec * wall) / Math.max(1, delivered), 2),
        ...seenByServer,
      });
      const resyncs = sum((p) => p.resyncs);
      const early = sum((p) => p.early);
      const behind = sum((p) => p.behind);
      console.error(
        `fanout: ${subscribers} subscribers: passive ones caught up in ${round(Math.max(...parts.map((p) => p.drainMs)))} ms` +
          ` (${behind} still behind), ${resyncs} resyncs, ${early} of ${pairs} pairs delivered before the` +
          ` driver had the ack, ${drive.failed} holds failed`,
      );
    }
    printTable(
      `fan-out on ${EVENT_ID} (${layout.seatCount} seats): ${opts.rate} holds/s via the internal API, ` +
        `${opts.workers} load processes; latency = hold ack at the driver -> delta at each measured ` +
        `subscriber (includes waiting for the 50 ms tick); delivered = delta frames at all subscribers; ` +
        `net µs = server CPU above the 0-subscriber run`,
      rows,
    );
    check(results.length > 0, 'fanout: no subscriber count to measure (subscribers=…)');
    printJson({ bench: 'fanout', database: server.database, rate: opts.rate, runs: results });
  } finally {
    agent.destroy();
    await killAll(workers);
    await server?.stop();
  }
}
