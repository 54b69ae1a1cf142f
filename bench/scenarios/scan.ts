// Scanning at the gates: online scans through the real server over HTTP, and offline
// verifications with verifyOffline in this process.
//
// The tickets are made by direct SQL in a fresh database (bench/lib/scratch-db.ts: a new
// Postgres schema at DATABASE_URL if it is reachable, else a new PGlite directory): one order
// and `tickets` rows of the orders' tickets table, then their credentials issued by
// src/tickets (ensureCredentials), in this process before the server starts. Buying tens of
// thousands of tickets through the API would take minutes and measure checkout, not scanning.
// The server (src/main.ts, its own process) then takes `POST /api/scan` from an operator's
// session (the admin from ONSALE_ADMIN_EMAIL), each ticket once, `concurrency` in flight on
// kept-alive connections; every QR gets a fresh rotating code for the current step. Every
// scan must be admitted (200), and the admissions table must hold one row per ticket.
//
// Offline: the event's signed manifest (made by src/scanning as the route makes it), opened
// once, then verifyOffline on every ticket's QR for `offlineSeconds`: as served (each ticket's
// current credential is recognised by its digest in the manifest) and, to show what the
// Ed25519 check alone costs, with the digests taken out (every credential's signature checked).
//
//   npm run bench -- scan                 20,000 tickets, 64 in flight
//   options: tickets=20000 concurrency=64 adapter=postgres|pglite offlineSeconds=3
import { Agent } from 'node:http';
import pino from 'pino';
import type { Db } from '../../src/persistence/db.ts';
import { openDb } from '../../src/persistence/open-db.ts';
import { openManifest, signManifest, verifyOffline } from '../../src/scanning/offline.ts';
import { Scanning } from '../../src/scanning/scanning.ts';
import { ticketCredentials } from '../../src/scanning/tickets-adapter.ts';
import { qrContent, rotatingCode, stepAt } from '../../src/tickets/credential.ts';
import { ensureCredentials, eventCredentials } from '../../src/tickets/credentials.ts';
import { signingKey } from '../../src/tickets/keys.ts';
import { check, commonest, expectCount } from '../lib/checks.ts';
import { httpRequest } from '../lib/http.ts';
import { parseOptions } from '../lib/options.ts';
import { inParallel } from '../lib/parallel.ts';
import { dropOrWarn, postgresUnreachable, scratchDb } from '../lib/scratch-db.ts';
import { Latencies, printJson, printTable, round } from '../lib/stats.ts';
import { cpuMicros, launchServer } from '../load/server.ts';

const EVENT = 'bench-scan';
const ADMIN = { email: 'scan-bench@example.com', password: 'scan-bench-password' };
const TARGETS = { onlineScansPerSec: 5000, offlineVerificationsPerSec: 20000 };

async function makeTickets(db: Db, n: number): Promise<void> {
  await db.query(
    `INSERT INTO orders (id, event_id, fan_id, email, status, channel, method, currency, quote, total, hold_ids, expires_at)
     VALUES ('ord_bench_scan', $1, 'fan_bench', 'fan@example.com', 'paid', 'box_office', 'comp', 'EUR', '{}', 0, '{}', now())`,
    [EVENT],
  );
  await db.query(
    `INSERT INTO tickets (id, order_id, event_id, item, label, category, price)
     SELECT 'tkt_bench_' || i, 'ord_bench_scan', $1, 'seat-' || i, 'Block ' || (i / 1000) || ' seat ' || (i % 1000), 'P1', 0
       FROM generate_series(1, $2::int) AS i`,
    [EVENT, n],
  );
  await ensureCredentials(db, EVENT);
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, { tickets: 20000, concurrency: 64, adapter: '', offlineSeconds: 3 });
  const adapter = o.adapter || ((await postgresUnreachable()) === null ? 'postgres' : 'pglite');
  check(adapter === 'postgres' || adapter === 'pglite', `scan: adapter=${adapter}: postgres or pglite`);
  const scratch = await scratchDb(adapter, 'bench_scan');
  let server: Awaited<ReturnType<typeof launchServer>> | null = null;
  try {
    // The tickets and their credentials, before the server opens the database.
    const db = await openDb(scratch.config);
    const made = performance.now();
    await makeTickets(db, o.tickets);
    const creds = await eventCredentials(db, EVENT);
    expectCount('scan', 'tickets with a credential', creds.length, o.tickets);
    const scanning = new Scanning({ db, tickets: ticketCredentials, log: pino({ level: 'silent' }) });
    const { manifest: signed } = await scanning.manifest(EVENT);
    const key = await signingKey(db, EVENT);
    const setupMs = performance.now() - made;
    await db.close();

    server = await launchServer({
      ...scratch.env,
      ONSALE_DEMO: '0',
      ONSALE_ADMIN_EMAIL: ADMIN.email,
      ONSALE_ADMIN_PASSWORD: ADMIN.password,
    });
    const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
    const login = await httpRequest(
      agent,
      `${server.url}/api/accounts/login`,
      'POST',
      { 'content-type': 'application/json' },
      JSON.stringify(ADMIN),
    );
    check(login.status === 200, `scan: login ${login.status} ${login.text}`);
    const token = JSON.parse(login.text).token as string;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const qr = (i: number) => {
      const step = stepAt(Date.now());
      return qrContent(creds[i].credential, step, rotatingCode(creds[i].secret, step));
    };

    // Warm-up: the server's caches (keys, revocations) and its JIT, on a few tickets kept out of the figures.
    const warm = Math.min(200, Math.floor(o.tickets / 10));
    const errors: Record<string, number> = {};
    let admitted = 0;
    const scanOne = async (i: number, lat: Latencies | null) => {
      const body = JSON.stringify({ eventId: EVENT, gate: `gate-${i % 8}`, payload: qr(i) });
      const t0 = performance.now();
      const r = await httpRequest(agent, `${server!.url}/api/scan`, 'POST', headers, body);
      lat?.record(performance.now() - t0);
      if (r.status === 200) admitted++;
      else {
        const code = (() => {
          try {
            return JSON.parse(r.text).error.code as string;
          } catch {
            return String(r.status);
          }
        })();
        errors[code] = (errors[code] ?? 0) + 1;
      }
    };
    await inParallel(warm, o.concurrency, (i) => scanOne(i, null));
    const lat = new Latencies('scan latency');
    const measured = o.tickets - warm;
    const cpu0 = cpuMicros(server.pid);
    const t0 = performance.now();
    await inParallel(measured, o.concurrency, (i) => scanOne(warm + i, lat));
    const onlineMs = performance.now() - t0;
    const serverCpuSeconds = (cpuMicros(server.pid) - cpu0) / 1e6;
    expectCount('scan', 'scans admitted', admitted, o.tickets, { commonError: commonest(errors) });
    // Scanning each ticket again: every one refused as used.
    const again = await httpRequest(
      agent,
      `${server.url}/api/scan`,
      'POST',
      headers,
      JSON.stringify({ eventId: EVENT, gate: 'again', payload: qr(0) }),
    );
    check(
      again.status === 409 && again.text.includes('ALREADY_USED'),
      `scan: a second scan answered ${again.status} ${again.text}`,
    );
    agent.destroy();
    await server.stop();
    server = null;

    // The database holds one admission per ticket.
    const db2 = await openDb(scratch.config);
    const count = Number(
      (
        await db2.query<{ n: number }>('SELECT count(*)::int AS n FROM admissions WHERE event_id = $1', [
          EVENT,
        ])
      ).rows[0].n,
    );
    await db2.close();
    expectCount('scan', 'admissions in the database', count, o.tickets);

    // Offline.
    const opened = openManifest(signed);
    check(opened.ok, `scan: the manifest does not open: ${opened.ok ? '' : opened.reason}`);
    const manifest = opened.manifest;
    const body = JSON.parse(Buffer.from(signed.body, 'base64url').toString('utf8'));
    body.tickets = body.tickets.map((t: unknown[]) => t.slice(0, 3));
    const noDigests = openManifest(signManifest(body, key.privateKey));
    check(noDigests.ok, 'scan: the manifest without digests does not open');
    const step = stepAt(Date.now());
    const qrs = creds.map((c) => qrContent(c.credential, step, rotatingCode(c.secret, step)));
    const offline = (m: typeof manifest) => {
      const now = Date.now();
      let ok = 0;
      let n = 0;
      const end = performance.now() + o.offlineSeconds * 1000;
      const start = performance.now();
      while (performance.now() < end) {
        for (let k = 0; k < 500; k++) {
          if (verifyOffline(m, qrs[n % qrs.length], now).ok) ok++;
          n++;
        }
      }
      const s = (performance.now() - start) / 1000;
      expectCount('scan', 'offline verifications accepted', ok, n);
      return n / s;
    };
    const offlinePerSec = offline(manifest);
    const signaturePerSec = offline(noDigests.manifest);

    const result = {
      bench: 'scan',
      database: adapter,
      tickets: o.tickets,
      concurrency: o.concurrency,
      setupMs: round(setupMs),
      onlineScansPerSec: round(measured / (onlineMs / 1000)),
      p50ScanMs: round(lat.percentile(50), 2),
      p99ScanMs: round(lat.percentile(99), 2),
      offlineVerificationsPerSec: round(offlinePerSec),
      offlineSignatureVerificationsPerSec: round(signaturePerSec),
      serverCpuSecondsOnline: round(serverCpuSeconds, 2),
      serverCpuMsPerScan: round((serverCpuSeconds * 1000) / measured, 3),
      targets: TARGETS,
    };
    printTable('scan', [
      {
        database: adapter,
        'online scans/s': result.onlineScansPerSec,
        'p50 ms': result.p50ScanMs,
        'p99 ms': result.p99ScanMs,
        'offline/s (digest)': result.offlineVerificationsPerSec,
        'offline/s (signature)': result.offlineSignatureVerificationsPerSec,
      },
    ]);
    printJson(result);
  } finally {
    if (server) await server.stop();
    await dropOrWarn(scratch);
  }
}
