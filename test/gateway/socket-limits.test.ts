import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnsaleSocket } from '../../client/sdk/index.ts';
import type { Db } from '../../src/persistence/db.ts';
import {
  type Account,
  type Gateway,
  http,
  metric,
  RawClient,
  signUp,
  sleep,
  startGateway,
  TrackedWebSocket,
  UpgradeRefused,
  waitFor,
} from './support.ts';

// The socket caps: ONSALE_MAX_SOCKETS per process (below the open-file limit) and
// ONSALE_MAX_SOCKETS_PER_IP per client address. Upgrades past a cap are refused with a JSON
// error (503 / 429) and take no slot; a closed socket frees its slot; and upgrades still
// checking their token hold a slot, so a burst of them cannot overshoot a cap while the
// database is slow. Client addresses come from several loopback addresses (127.0.0.x).

const MAX = 5;
const PER_IP = 3;

let gw: Gateway;
const fans: Account[] = [];

beforeAll(async () => {
  // No demo catalog: these tests need sockets, not events.
  gw = await startGateway({
    ONSALE_DEMO: '0',
    ONSALE_MAX_SOCKETS: String(MAX),
    ONSALE_MAX_SOCKETS_PER_IP: String(PER_IP),
  });
  for (let i = 0; i < 2 * MAX; i++) fans.push(await signUp(gw, 'limits'));
});

afterAll(async () => {
  await gw?.stop();
});

const from = (localAddress: string, token?: string) => RawClient.open(gw, { localAddress, token });

async function refusal(p: Promise<unknown>): Promise<UpgradeRefused> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(UpgradeRefused);
  return e as UpgradeRefused;
}

async function closeAll(clients: RawClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
  await waitFor(() => gw.server.sockets() === 0, 2_000, 'every socket to close');
}

/** Session lookups take `ms` longer, as on a busy database server. */
function slowSessions(ms: number): () => void {
  const db = gw.server.db as Db;
  const query = db.query;
  db.query = (async (sql: string, params?: unknown[]) => {
    if (sql.includes('FROM sessions')) await sleep(ms);
    return query.call(db, sql, params);
  }) as Db['query'];
  return () => {
    db.query = query;
  };
}

describe('socket limits', () => {
  it(`given ${PER_IP} sockets from one address, then the next from it gets 429; given ${MAX} in all, the next from anywhere gets 503; closing one lets one in`, async () => {
    const a = [await from('127.0.0.1'), await from('127.0.0.1'), await from('127.0.0.1')];
    const perIp = await refusal(from('127.0.0.1'));
    expect(perIp.status).toBe(429);
    expect(perIp.body).toEqual({ error: { code: 'TOO_MANY_SOCKETS_FROM_IP', message: expect.any(String) } });

    const b = [await from('127.0.0.2'), await from('127.0.0.2')];
    expect(gw.server.sockets()).toBe(MAX);
    const full = await refusal(from('127.0.0.3'));
    expect(full.status).toBe(503);
    expect(full.body).toEqual({ error: { code: 'TOO_MANY_SOCKETS', message: expect.any(String) } });
    // The SDK sees the refusal as a failed connect.
    await expect(OnsaleSocket.connect(gw.wsUrl, { WebSocket: TrackedWebSocket })).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
    });
    // Refusals take no slot; the gauge agrees.
    expect(gw.server.sockets()).toBe(MAX);
    expect(metric((await http(gw, 'GET', '/metrics')).text, 'onsale_sockets')).toBe(MAX);

    await b[0].close();
    await waitFor(() => gw.server.sockets() === MAX - 1, 2_000, 'the slot to free');
    const c = await from('127.0.0.3');
    c.send({ t: 'ping', id: 1 });
    expect(await c.take((m) => m.t === 'pong')).toEqual({ t: 'pong', id: 1 });
    expect((await refusal(from('127.0.0.4'))).status).toBe(503);

    // A slot freed on the crowded address lets that address in again.
    await a[0].close();
    await waitFor(() => gw.server.sockets() === MAX - 1, 2_000, 'the slot to free');
    const again = await from('127.0.0.1');
    expect(again.isOpen).toBe(true);
    expect((await refusal(from('127.0.0.1'))).status).toBe(503);

    await closeAll([...a.slice(1), b[1], c, again]);
    expect(metric((await http(gw, 'GET', '/metrics')).text, 'onsale_sockets')).toBe(0);
  });

  it('given a slow database, when more signed-in upgrades than the cap arrive at once, then exactly the cap gets in (the rest 503)', async () => {
    const restore = slowSessions(50);
    try {
      const attempts = fans
        .slice(0, MAX + 3)
        .map((f, i) => from(`127.0.1.${i + 1}`, f.token).catch((e: unknown) => e));
      const results = await Promise.all(attempts);
      const opened = results.filter((r): r is RawClient => r instanceof RawClient);
      const refused = results.filter((r) => r instanceof UpgradeRefused);
      expect(opened).toHaveLength(MAX);
      expect(refused.map((r) => r.status)).toEqual([503, 503, 503]);
      expect(gw.server.sockets()).toBe(MAX);
      await closeAll(opened);
    } finally {
      restore();
    }
  });

  it('given a slow database, when more signed-in upgrades than the per-address cap arrive at once from one address, then exactly that many get in (the rest 429)', async () => {
    const restore = slowSessions(50);
    try {
      const results = await Promise.all(
        fans.slice(0, PER_IP + 2).map((f) => from('127.0.2.1', f.token).catch((e: unknown) => e)),
      );
      const opened = results.filter((r): r is RawClient => r instanceof RawClient);
      expect(opened).toHaveLength(PER_IP);
      expect(results.filter((r) => r instanceof UpgradeRefused).map((r) => r.status)).toEqual([429, 429]);
      await closeAll(opened);
    } finally {
      restore();
    }
  });

  it('given upgrades refused for their token or abandoned mid-check, then the slots they held are free again', async () => {
    const restore = slowSessions(50);
    try {
      // Well-shaped unknown tokens: each waits for the database, then 401.
      const bad = await Promise.all(
        Array.from({ length: MAX }, (_, i) => refusal(from(`127.0.3.${i + 1}`, `${'Z'.repeat(42)}${i}`))),
      );
      expect(bad.map((r) => r.status)).toEqual(Array(MAX).fill(401));
      // Clients that hang up while their token is checked.
      for (let i = 0; i < MAX; i++) {
        const s = net.connect(gw.server.port, '127.0.0.1');
        s.on('error', () => {});
        s.write(
          `GET /ws?token=${fans[i].token} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
        setTimeout(() => s.destroy(), 5);
      }
      await sleep(150);
    } finally {
      restore();
    }
    expect(gw.server.sockets()).toBe(0);
    const opened = await Promise.all(fans.slice(0, MAX).map((f, i) => from(`127.0.4.${i + 1}`, f.token)));
    expect(opened.every((c) => c.isOpen)).toBe(true);
    expect(gw.server.sockets()).toBe(MAX);
    await closeAll(opened);
  });
});
