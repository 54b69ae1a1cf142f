// Cluster mode through real processes: three onsale members on one Postgres schema and one
// Redis (src/cluster). In one run:
// - holds through the event's owner (its actor in the same process) and through another
//   member (over the bus), closed loop at the same concurrency, alternating rounds: holds/s
//   and p99 of each, and their ratio;
// - fan-out: subscribers on the two members that do not own the event (seat changes reach
//   them over Redis pub/sub), holds at a fixed rate through the owner: p50/p99 from the
//   hold's acknowledgement to the delta at each measured subscriber;
// - failover: the owner killed (SIGKILL); the time to the first hold the new owner
//   acknowledges through a surviving member.
// Holds go through the internal API (no auth, no rate limit: what is measured is the bus).
//
// - scale (bench/scenarios/cluster-scale.ts, a cluster of its own): `scaleSockets` sockets
//   across `scaleMembers - 1` gateways, `scaleSubscribers` of them on one event's seat map,
//   holds at `scaleRate` per second through the owner: fan-out p99 at that many subscribers,
//   and the sockets that answer a ping at the end.
//
//   npm run bench -- cluster
//   options (key=value): phases=main,scale subscribers=20000 active=250 rate=200 seconds=6
//     concurrency=32 holdSeconds=3 workers=4 lease=2000
//     scaleMembers=9 scaleSockets=152000 scaleSubscribers=100000 scaleRate=1 scaleSeconds=10 scaleActive=400
import { Agent } from 'node:http';
import * as hdr from 'hdr-histogram-js';
import { Redis } from 'ioredis';
import { check, commonest, expectCount } from '../lib/checks.ts';
import { percentileMs } from '../lib/histogram.ts';
import { httpRequest } from '../lib/http.ts';
import { parseOptions } from '../lib/options.ts';
import { DATABASE_URL, dropOrWarn, postgresUnreachable, scratchDb } from '../lib/scratch-db.ts';
import { median, printJson, printTable, round } from '../lib/stats.ts';
import { forkWorkers, killAll, shares, type Worker } from '../load/pool.ts';
import { demoLayout, EVENT_ID } from '../load/seats.ts';
import { launchServer, nowMs, type ServerProcess, sleep } from '../load/server.ts';
import { initSocketWorkers } from '../load/sockets.ts';
import { runScale, type ScaleResult } from './cluster-scale.ts';
import { driveHolds, eventVersion, type WorkerResult } from './fanout.ts';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password' };
const DEFAULTS = {
  phases: ['main', 'scale'],
  subscribers: 20_000,
  active: 250,
  rate: 200,
  seconds: 6,
  concurrency: 32,
  holdSeconds: 3,
  rounds: 2,
  workers: 4,
  lease: 2_000,
  scaleMembers: 9,
  scaleSockets: 152_000,
  scaleSubscribers: 100_000,
  scaleRate: 1,
  scaleSeconds: 10,
  scaleActive: 400,
};
const JSON_TYPE = { 'content-type': 'application/json' };

/** One hold through the internal API; null when accepted, else why not. */
async function hold(agent: Agent, url: string, holdId: string, seats: number[]): Promise<string | null> {
  const body = JSON.stringify({
    commands: [{ command: { type: 'hold', holdId, fanId: `f-${holdId}`, seats } }],
  });
  const r = await httpRequest(agent, `${url}/internal/events/${EVENT_ID}/commands`, 'POST', JSON_TYPE, body);
  if (r.status !== 200) return `HTTP ${r.status} ${r.text.slice(0, 80)}`;
  const out = (JSON.parse(r.text) as { outcomes?: { ok: boolean; error?: { code?: string } }[] })
    .outcomes?.[0];
  return out?.ok ? null : (out?.error?.code ?? 'no outcome');
}

/** Holds as fast as `concurrency` loops get them answered, for `seconds`: holds/s and p99 ms. */
async function closedLoop(
  agent: Agent,
  url: string,
  seats: () => number[],
  tag: string,
  concurrency: number,
  seconds: number,
): Promise<{ perSec: number; p99Ms: number; failed: number; firstError: string | null }> {
  const lat: number[] = [];
  let failed = 0;
  let firstError: string | null = null;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = nowMs();
        const err = await hold(agent, url, `${tag}-${n++}`, seats()).catch((e: Error) => e.message);
        if (err === null) lat.push(nowMs() - t);
        else {
          failed++;
          firstError ??= err;
        }
      }
    }),
  );
  lat.sort((a, b) => a - b);
  return {
    perSec: lat.length / seconds,
    p99Ms: lat[Math.floor(lat.length * 0.99)] ?? Number.NaN,
    failed,
    firstError,
  };
}

async function ownerOf(url: string, eventId: string): Promise<string> {
  const login = await fetch(`${url}/api/accounts/login`, {
    method: 'POST',
    headers: JSON_TYPE,
    body: JSON.stringify(ADMIN),
  });
  const { token } = (await login.json()) as { token: string };
  const r = await fetch(`${url}/api/cluster`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await r.json()) as { leases: { eventId: string; owner: string }[] };
  const lease = body.leases.find((l) => l.eventId === eventId);
  check(lease !== undefined, `cluster: nobody holds the lease of ${eventId}`);
  return lease!.owner;
}

export async function run(args: string[]): Promise<void> {
  const opts = parseOptions(args, DEFAULTS);
  for (const p of opts.phases)
    check(p === 'main' || p === 'scale', `cluster: unknown phase "${p}" (main, scale)`);
  const unreachable = await postgresUnreachable();
  check(
    unreachable === null,
    `cluster: needs a Postgres server (DATABASE_URL=${DATABASE_URL}): ${unreachable}`,
  );
  const ping = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await ping.connect().then(
    () => ping.quit(),
    (e: Error) => check(false, `cluster: needs Redis at ${REDIS_URL}: ${e.message}`),
  );
  const main = opts.phases.includes('main') ? await runMain(opts) : null;
  let scale: ScaleResult | null = null;
  if (opts.phases.includes('scale')) {
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    try {
      scale = await runScale(
        {
          members: opts.scaleMembers,
          sockets: opts.scaleSockets,
          subscribers: opts.scaleSubscribers,
          active: opts.scaleActive,
          rate: opts.scaleRate,
          seconds: opts.scaleSeconds,
          lease: opts.lease,
        },
        { redisUrl: REDIS_URL, admin: ADMIN },
        agent,
        ownerOf,
      );
    } finally {
      agent.destroy();
    }
    printTable(
      `cluster scale: ${scale.members} members (${scale.gateways} gateways, one load process each); ${scale.subscribers} of the sockets on one arena event's seat map; holds at ${scale.rate}/s through the owner for ${opts.scaleSeconds} s`,
      [
        { what: 'sockets answering a ping', value: scale.sockets },
        { what: 'seconds to open them', value: scale.openSeconds },
        { what: 'fan-out p50 ms', value: scale.p50FanoutMs },
        { what: 'fan-out p99 ms', value: scale.p99FanoutMs },
        { what: 'delta frames/s received', value: scale.framesPerSec },
        { what: 'gateway CPU µs per frame', value: scale.gatewayCpuPerFrameUs },
        { what: 'floor ms (one delta, all cores)', value: scale.fanoutFloorMs },
        { what: 'gateway RSS MiB (median)', value: scale.gatewayRssMiB },
      ],
    );
  }
  printJson({
    bench: 'cluster',
    sockets: scale?.sockets ?? main?.busyFanout.subscribers ?? null,
    p99FanoutMs: scale?.p99FanoutMs ?? main?.busyFanout.p99Ms ?? null,
    fanoutSubscribers: scale?.subscribers ?? main?.busyFanout.subscribers ?? null,
    ...(main ?? {}),
    ...(scale ? { scale } : {}),
  });
}

/** Three members: holds through the owner and another member, fan-out, failover. */
async function runMain(opts: typeof DEFAULTS) {
  const layout = demoLayout();
  // One seat a hold (never released): the stadium's 81,450 seats last a run of the defaults.
  const plan: number[][] = [];
  for (let seat = 0; seat < layout.seatCount; seat++) if (layout.seatFlags[seat] === 0) plan.push([seat]);
  let next = 0;
  const seats = () => {
    check(next < plan.length, 'cluster: the stadium ran out of seats for the planned holds');
    return plan[next++];
  };
  const db = await scratchDb('postgres', 'bench_cluster', DATABASE_URL);
  const prefix = `onsale-bench-${process.pid}-${Date.now().toString(36)}`;
  const perGateway = Math.ceil(opts.subscribers / 2);
  const procs: ServerProcess[] = [];
  let workers: Worker[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  try {
    for (let i = 0; i < 3; i++) {
      procs.push(
        await launchServer({
          ...db.env,
          ONSALE_REDIS_URL: REDIS_URL,
          ONSALE_CLUSTER_PREFIX: prefix,
          ONSALE_NODE_ID: `c${i}`,
          ONSALE_LEASE_MS: String(opts.lease),
          ONSALE_ADMIN_EMAIL: ADMIN.email,
          ONSALE_ADMIN_PASSWORD: ADMIN.password,
          ONSALE_MAX_SOCKETS: String(Math.max(19_000, perGateway + 100)),
          ONSALE_MAX_SOCKETS_PER_IP: String(perGateway + 100),
        }),
      );
    }
    // The first hold places the event; then who owns it.
    check((await hold(agent, procs[0].url, 'place', seats())) === null, 'cluster: the first hold failed');
    const ownerId = await ownerOf(procs[0].url, EVENT_ID);
    const owner = procs[Number(ownerId.slice(1))];
    const gateways = procs.filter((p) => p !== owner);
    console.error(`cluster: ${EVENT_ID} is owned by ${ownerId}`);

    // Holds through the owner and through another member, alternating rounds.
    const local: { perSec: number; p99Ms: number }[] = [];
    const remote: { perSec: number; p99Ms: number }[] = [];
    await closedLoop(agent, gateways[0].url, seats, 'warm', opts.concurrency, 1); // JIT, connections
    for (let r = 0; r < opts.rounds; r++) {
      for (const [target, into, tag] of [
        [owner, local, 'local'],
        [gateways[0], remote, 'remote'],
      ] as const) {
        const res = await closedLoop(
          agent,
          target.url,
          seats,
          `${tag}${r}`,
          opts.concurrency,
          opts.holdSeconds,
        );
        check(res.failed === 0, `cluster: ${res.failed} ${tag} holds failed (${res.firstError})`);
        into.push(res);
      }
    }

    // Fan-out to subscribers on the two non-owners.
    workers = forkWorkers('./sockets-worker.ts', opts.workers);
    const holdsN = Math.ceil(opts.rate * opts.seconds);
    const fanPlan = Array.from({ length: holdsN }, () => seats());
    const firstSeats = Int32Array.from(fanPlan, (g) => g[0]);
    const half = Math.ceil(workers.length / 2);
    await initSocketWorkers(workers.slice(0, half), gateways[0].wsUrl, firstSeats);
    await initSocketWorkers(workers.slice(half), gateways[1].wsUrl, firstSeats);
    const counts = [
      ...shares(perGateway, half),
      ...shares(opts.subscribers - perGateway, workers.length - half),
    ];
    const opened = await Promise.all(
      workers.map((w, i) =>
        w.call<{ open: number; failed: number; errors: Record<string, number> }>('open', {
          count: counts[i],
          subscribe: true,
          concurrency: 100,
        }),
      ),
    );
    const open = opened.reduce((n, o) => n + o.open, 0);
    expectCount('cluster', 'subscribers were open', open, opts.subscribers, {
      minShare: 0.99,
      commonError: commonest(opened.map((o) => o.errors)),
    });
    await sleep(1000);
    const activeEvery = Math.max(1, Math.round(opts.subscribers / opts.active));
    await Promise.all(workers.map((w) => w.call('arm', { activeEvery })));
    // driveHolds numbers its holds by plan index: give it the fan-out plan alone.
    const acks = new Float64Array(fanPlan.length).fill(Number.NaN);
    const drive = await driveHolds(owner, agent, fanPlan, 0, fanPlan.length, opts.rate, acks);
    expectCount('cluster', 'fan-out holds were accepted', drive.acked, fanPlan.length, {
      minShare: 0.99,
      firstError: drive.firstError,
    });
    await sleep(1000);
    const version = await eventVersion(owner);
    await Promise.all(workers.map((w) => w.call('disarm', { version, timeoutMs: 60_000 })));
    const parts = await Promise.all(workers.map((w) => w.call<WorkerResult>('result', { acks })));
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
    for (const p of parts) h.add(hdr.decodeFromCompressedBase64(p.hist));
    const pairs = parts.reduce((n, p) => n + p.pairs, 0);
    check(pairs > 0, 'cluster: no delta reached a measured subscriber');
    const p50FanoutMs = round(percentileMs(h, 50, 'cluster fan-out'), 1);
    const p99FanoutMs = round(percentileMs(h, 99, 'cluster fan-out'), 1);
    const resyncs = parts.reduce((n, p) => n + p.resyncs, 0);
    await killAll(workers);
    workers = [];

    // Failover: the owner killed; the first hold the new owner acknowledges.
    const survivor = gateways[0];
    const t0 = performance.now();
    process.kill(owner.pid, 'SIGKILL');
    let failoverMs = Number.NaN;
    while (performance.now() - t0 < 30_000) {
      if ((await hold(agent, survivor.url, `after-${next}`, seats()).catch(() => 'down')) === null) {
        failoverMs = performance.now() - t0;
        break;
      }
      await sleep(20);
    }
    check(Number.isFinite(failoverMs), 'cluster: no member took the event over within 30 s');

    const result = {
      processes: 3,
      /** Fan-out on the three members at the busy rate (the scale phase's is at scaleRate). */
      busyFanout: { subscribers: open, rate: opts.rate, p50Ms: p50FanoutMs, p99Ms: p99FanoutMs, resyncs },
      localHoldsPerSec: round(median(local.map((x) => x.perSec))),
      remoteHoldsPerSec: round(median(remote.map((x) => x.perSec))),
      remoteToLocal: round(median(remote.map((x) => x.perSec)) / median(local.map((x) => x.perSec)), 3),
      p99LocalHoldMs: round(median(local.map((x) => x.p99Ms)), 2),
      p99RemoteHoldMs: round(median(remote.map((x) => x.p99Ms)), 2),
      failoverMs: round(failoverMs),
      leaseMs: opts.lease,
    };
    printTable(
      `cluster: 3 members on Postgres + Redis; holds closed-loop at ${opts.concurrency} in flight, ${opts.rounds} rounds of ${opts.holdSeconds} s each way; fan-out to ${open} subscribers on the 2 non-owners at ${opts.rate} holds/s`,
      [
        {
          what: 'holds through the owner',
          'holds/s': result.localHoldsPerSec,
          'p99 ms': result.p99LocalHoldMs,
        },
        {
          what: 'holds through another member',
          'holds/s': result.remoteHoldsPerSec,
          'p99 ms': result.p99RemoteHoldMs,
        },
        { what: `fan-out, ${open} subscribers`, 'holds/s': opts.rate, 'p99 ms': p99FanoutMs },
        { what: 'failover (kill -9 → first ack)', 'holds/s': '-', 'p99 ms': result.failoverMs },
      ],
    );
    return result;
  } finally {
    agent.destroy();
    await killAll(workers);
    await Promise.all(procs.map((p) => p.stop(2_000)));
    await dropOrWarn(db);
  }
}
