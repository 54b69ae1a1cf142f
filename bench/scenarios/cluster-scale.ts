// The cluster bench's scale phase: many sockets across many members on one machine. A
// cluster of its own (a fresh Postgres schema and Redis prefix) with `members` processes;
// one owns an arena event (16,440 seats, created through the admin API), every other is a
// gateway with one load process of its own, on a loopback source address of its own (each
// process, server or load, stays under the 20,000 open files one process may have here).
//
// Every load process opens its share of `subscribers` sockets subscribed to the event's seat
// map, then its share of the rest of `sockets` that stay connected without a subscription
// (a fan on a page with no seat map). Holds then go through the owner at `rate` per second
// for `seconds`: each one's delta crosses Redis to every gateway, where uWS publishes it to
// that process's subscribers. Fan-out latency is measured at a spread sample of `active`
// subscribers, from each hold's acknowledgement at the driver to the delta at the
// subscriber; the others stop reading (see bench/load/sockets-worker.ts) and must catch up
// with no gap afterwards. Last, every socket pings once: `sockets` is how many answered.
import type { Agent } from 'node:http';
import { cpus } from 'node:os';
import * as hdr from 'hdr-histogram-js';
import { compileChart } from '../../src/domain/chart.ts';
import { defaultPrices, generateChart } from '../../src/domain/chart-generator.ts';
import { check, commonest, expectCount } from '../lib/checks.ts';
import { percentileMs } from '../lib/histogram.ts';
import { dropOrWarn, scratchDb } from '../lib/scratch-db.ts';
import { round } from '../lib/stats.ts';
import { forkWorkers, killAll, shares, type Worker } from '../load/pool.ts';
import { cpuMicros, launchServer, rssBytes, type ServerProcess, sleep } from '../load/server.ts';
import { initSocketWorkers } from '../load/sockets.ts';
import { driveHolds, eventVersion, type WorkerResult } from './fanout.ts';

export interface ScaleOptions {
  members: number;
  sockets: number;
  subscribers: number;
  active: number;
  rate: number;
  seconds: number;
  lease: number;
}

export interface ScaleResult {
  members: number;
  gateways: number;
  /** Sockets open across the gateways that answered a ping at the end. */
  sockets: number;
  subscribers: number;
  openSeconds: number;
  rate: number;
  p50FanoutMs: number;
  p99FanoutMs: number;
  /** Delta frames the subscribers received per second of the window. */
  framesPerSec: number;
  /** The gateways' CPU over the window (less that of an idle window as long) per delta frame they sent to a subscriber, µs. */
  gatewayCpuPerFrameUs: number;
  /** subscribers × gatewayCpuPerFrameUs / cores: one delta to all, every core on it, nothing else. */
  fanoutFloorMs: number;
  resyncs: number;
  /** Passive subscribers not at the last version after catching up (must be 0). */
  behind: number;
  /** Resident memory of the gateways, MiB, median. */
  gatewayRssMiB: number;
}

const VENUE_ID = 'bench-arena';
const EVENT_ID = 'bench-arena-night';
const JSON_TYPE = { 'content-type': 'application/json' };

async function call(url: string, method: string, path: string, token: string | null, body?: unknown) {
  const headers: Record<string, string> = { ...JSON_TYPE };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(`${url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, text, body: text ? JSON.parse(text) : undefined };
}

/** The arena and an event on sale in it, through the admin API; waits until its sale is open. */
async function createEvent(url: string, admin: { email: string; password: string }): Promise<void> {
  const login = await call(url, 'POST', '/api/accounts/login', null, admin);
  check(login.status === 200, `cluster scale: admin login: ${login.status} ${login.text.slice(0, 200)}`);
  const token = login.body.token as string;
  const chart = generateChart('arena', VENUE_ID);
  const venue = await call(url, 'POST', '/api/venues', token, {
    id: VENUE_ID,
    name: 'Bench Arena',
    city: 'Berlin',
    chartTemplate: 'arena',
  });
  check(
    venue.status === 201,
    `cluster scale: creating the venue: ${venue.status} ${venue.text.slice(0, 200)}`,
  );
  const event = await call(url, 'POST', '/api/events', token, {
    id: EVENT_ID,
    name: 'Bench Arena Night',
    category: 'concert',
    venueId: VENUE_ID,
    startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    status: 'on_sale',
    priceTiers: defaultPrices(chart),
  });
  check(
    event.status === 201,
    `cluster scale: creating the event: ${event.status} ${event.text.slice(0, 200)}`,
  );
}

/** Every socket of every load process pings once. */
async function alive(workers: Worker[]): Promise<{ answered: number; commonError: string | null }> {
  const parts = await Promise.all(
    workers.map((w) =>
      w.call<{ answered: number; sockets: number; errors: Record<string, number> }>('alive', {
        concurrency: 500,
        timeoutMs: 30_000,
      }),
    ),
  );
  return {
    answered: parts.reduce((n, a) => n + a.answered, 0),
    commonError: commonest(parts.map((a) => a.errors)),
  };
}

export async function runScale(
  o: ScaleOptions,
  env: { redisUrl: string; admin: { email: string; password: string } },
  agent: Agent,
  ownerOf: (url: string, eventId: string) => Promise<string>,
): Promise<ScaleResult> {
  check(o.members >= 2, 'cluster scale: members must be at least 2 (an owner and a gateway)');
  check(o.subscribers <= o.sockets, 'cluster scale: subscribers cannot be more than sockets');
  const layout = compileChart(generateChart('arena', VENUE_ID));
  const plan: number[][] = [];
  for (let seat = 0; seat < layout.seatCount; seat++) if (layout.seatFlags[seat] === 0) plan.push([seat]);
  const holdsN = Math.ceil(o.rate * o.seconds) + 1;
  check(holdsN <= plan.length, `cluster scale: ${holdsN} holds need more seats than the arena has`);
  const db = await scratchDb('postgres', 'bench_scale');
  const prefix = `onsale-scale-${process.pid}-${Date.now().toString(36)}`;
  // Each gateway's sockets, with room under the 20,000 open files of one process.
  const perGateway = Math.ceil(o.sockets / (o.members - 1));
  check(
    perGateway <= 19_500,
    `cluster scale: ${perGateway} sockets a gateway is past one process's open files`,
  );
  const procs: ServerProcess[] = [];
  let workers: Worker[] = [];
  const memberEnv = (i: number) => ({
    ...db.env,
    ONSALE_DEMO: '0',
    ONSALE_REDIS_URL: env.redisUrl,
    ONSALE_CLUSTER_PREFIX: prefix,
    ONSALE_NODE_ID: `s${i}`,
    ONSALE_LEASE_MS: String(o.lease),
    ONSALE_ADMIN_EMAIL: env.admin.email,
    ONSALE_ADMIN_PASSWORD: env.admin.password,
    // Nine members on one Postgres server of max_connections 100.
    ONSALE_DB_POOL_SIZE: '6',
    ONSALE_MAX_SOCKETS: String(perGateway + 200),
    ONSALE_MAX_SOCKETS_PER_IP: String(perGateway + 200),
  });
  try {
    // The first member migrates the schema; the others then start side by side.
    procs.push(await launchServer(memberEnv(0)));
    procs.push(
      ...(await Promise.all(
        Array.from({ length: o.members - 1 }, (_, k) =>
          launchServer(memberEnv(k + 1), { timeoutMs: 180_000 }),
        ),
      )),
    );
    await createEvent(procs[0].url, env.admin);
    // The first hold places the event on its owner.
    const first = plan.pop()!;
    const placed = await fetch(`${procs[0].url}/internal/events/${EVENT_ID}/commands`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({
        commands: [{ command: { type: 'hold', holdId: 'place', fanId: 'f-place', seats: first } }],
      }),
    });
    check(placed.ok, `cluster scale: the first hold failed: ${placed.status} ${await placed.text()}`);
    const ownerId = await ownerOf(procs[0].url, EVENT_ID);
    const owner = procs[Number(ownerId.slice(1))];
    const gateways = procs.filter((p) => p !== owner);
    console.error(`cluster scale: ${EVENT_ID} is owned by ${ownerId}; ${gateways.length} gateways`);

    const fanPlan = plan.slice(0, holdsN - 1);
    const firstSeats = Int32Array.from(fanPlan, (g) => g[0]);
    workers = forkWorkers('./sockets-worker.ts', gateways.length);
    await Promise.all(
      workers.map((w, i) =>
        initSocketWorkers([w], gateways[i].wsUrl, firstSeats, {
          eventId: EVENT_ID,
          seatCount: layout.seatCount,
          firstAddress: i,
        }),
      ),
    );
    const subs = shares(o.subscribers, workers.length);
    const plain = shares(o.sockets - o.subscribers, workers.length);
    const t0 = performance.now();
    const opened = await Promise.all(
      workers.map(async (w, i) => {
        const a = await w.call<{ open: number; failed: number; errors: Record<string, number> }>('open', {
          count: subs[i],
          subscribe: true,
          concurrency: 50,
        });
        const b = await w.call<{ open: number; failed: number; errors: Record<string, number> }>('open', {
          count: plain[i],
          subscribe: false,
          concurrency: 50,
        });
        // `open` counts every socket the process has open so far.
        return { subscribed: a.open, open: b.open, errors: { ...a.errors, ...b.errors } };
      }),
    );
    const openSeconds = (performance.now() - t0) / 1000;
    const subscribed = opened.reduce((n, x) => n + x.subscribed, 0);
    const open = opened.reduce((n, x) => n + x.open, 0);
    console.error(
      `cluster scale: ${open} sockets (${subscribed} subscribed) open in ${round(openSeconds, 1)} s`,
    );
    expectCount('cluster scale', 'sockets were open', open, o.sockets, {
      minShare: 0.99,
      commonError: commonest(opened.map((x) => x.errors)),
    });
    expectCount('cluster scale', 'subscribers were subscribed', subscribed, o.subscribers, {
      minShare: 0.99,
    });
    // A ping from every socket just before the window: the server closes a socket it has not
    // heard from for its idle timeout (60 s), and a paused one cannot answer the server's pings.
    const before = await alive(workers);
    expectCount('cluster scale', 'sockets answered a ping before the window', before.answered, open, {
      minShare: 0.99,
      commonError: before.commonError,
    });

    // The gateways' CPU over a window as long with no holds: what they spend anyway (pings,
    // heartbeats, timers), taken off the window's before dividing by the frames.
    const idle0 = gateways.reduce((n, g) => n + cpuMicros(g.pid), 0);
    await sleep(o.seconds * 1000);
    const idleCpu = gateways.reduce((n, g) => n + cpuMicros(g.pid), 0) - idle0;
    const activeEvery = Math.max(1, Math.round(subscribed / o.active));
    await Promise.all(workers.map((w) => w.call('arm', { activeEvery })));
    const cpu0 = gateways.map((g) => cpuMicros(g.pid));
    const acks = new Float64Array(fanPlan.length).fill(Number.NaN);
    const drive = await driveHolds(owner, agent, fanPlan, 0, fanPlan.length, o.rate, acks, EVENT_ID);
    expectCount('cluster scale', 'fan-out holds were accepted', drive.acked, fanPlan.length, {
      minShare: 0.99,
      firstError: drive.firstError,
    });
    await sleep(1000);
    const gatewayCpu = gateways.reduce((n, g, i) => n + cpuMicros(g.pid) - cpu0[i], 0);
    const version = await eventVersion(owner, EVENT_ID);
    await Promise.all(workers.map((w) => w.call('disarm', { version, timeoutMs: 120_000 })));
    const parts = await Promise.all(
      workers.map((w) => w.call<WorkerResult & { behind: number }>('result', { acks })),
    );
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
    for (const p of parts) h.add(hdr.decodeFromCompressedBase64(p.hist));
    check(
      parts.reduce((n, p) => n + p.pairs, 0) > 0,
      'cluster scale: no delta reached a measured subscriber',
    );
    const behind = parts.reduce((n, p) => n + p.behind, 0);
    check(behind === 0, `cluster scale: ${behind} subscribers did not catch up with the last version`);
    const delivered = parts.reduce((n, p) => n + p.delivered, 0);
    const gatewayRss = gateways.map((g) => rssBytes(g.pid) / 2 ** 20).sort((a, b) => a - b);

    const after = await alive(workers);
    expectCount('cluster scale', 'sockets answered a ping after the window', after.answered, open, {
      minShare: 0.99,
      commonError: after.commonError,
    });
    // The gateways' CPU (user and kernel: a frame's send on loopback is mostly kernel work)
    // per frame they sent, above an idle window's, and what that alone makes the shortest
    // time one delta can take to reach every subscriber with every core on it.
    const frames = subscribed * fanPlan.length;
    const cpuPerFrameUs = Math.max(0, gatewayCpu - idleCpu) / frames;
    const cores = cpus().length;
    return {
      members: o.members,
      gateways: gateways.length,
      sockets: after.answered,
      subscribers: subscribed,
      openSeconds: round(openSeconds, 1),
      rate: o.rate,
      p50FanoutMs: round(percentileMs(h, 50, 'cluster scale fan-out'), 1),
      p99FanoutMs: round(percentileMs(h, 99, 'cluster scale fan-out'), 1),
      framesPerSec: round(delivered / o.seconds),
      gatewayCpuPerFrameUs: round(cpuPerFrameUs, 2),
      fanoutFloorMs: round((subscribed * cpuPerFrameUs) / cores / 1000, 1),
      resyncs: parts.reduce((n, p) => n + p.resyncs, 0),
      behind,
      gatewayRssMiB: round(gatewayRss[Math.floor(gatewayRss.length / 2)] ?? Number.NaN),
    };
  } finally {
    await killAll(workers);
    await Promise.all(procs.map((p) => p.stop(2_000)));
    await dropOrWarn(db);
  }
}
