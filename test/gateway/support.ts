import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { SocketOptions } from '../../client/sdk/index.ts';
import type { Server } from '../../src/server.ts';
import { type RequestOptions, type Res, request } from '../support/http.ts';
import { startTestServer } from '../support/server.ts';

// The gateway suites run the real server in-process (uWS, PGlite in a temp dir, the demo
// stadium) and talk to it as clients do: fetch, the SDK, and raw `ws` sockets speaking
// msgpack or JSON frames. Every client socket opened here is tracked and torn down with
// the server.

export const EVENT = 'demo-stadium';
export const ADMIN = { email: 'gateway-admin@example.com', password: 'gateway-admin-password' };
export const packr = new Packr({ useRecords: false });

export type Msg = Record<string, unknown> & { t: string };

const live = new Set<WebSocket>();

/** A `ws` WebSocket that the gateway tears down on stop; pass it to the SDK as `WebSocket`. */
export class TrackedWebSocket extends WebSocket {
  constructor(url: string | URL, options?: WebSocket.ClientOptions) {
    super(url, options);
    live.add(this);
    this.once('close', () => live.delete(this));
  }
}

export interface Gateway {
  server: Server;
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/** Starts the server on a free port with the demo event (running), internal API and an admin. */
export async function startGateway(env: Record<string, string> = {}): Promise<Gateway> {
  const t = await startTestServer({
    ONSALE_DEMO: '1',
    ONSALE_INTERNAL_API: '1',
    ONSALE_ADMIN_EMAIL: ADMIN.email,
    ONSALE_ADMIN_PASSWORD: ADMIN.password,
    ONSALE_JWT_SECRET: 'gateway-suite-secret-0123456789abcdef',
    ...env,
  });
  // Actors start on first use: the suites' event is started here, once.
  await t.server.events.get(EVENT);
  await t.server.directory.get(EVENT)?.drain(); // its start-up events (prices, sale) durable
  await waitFor(async () => (await fetch(`${t.url}/readyz`)).ok, 30_000);
  return {
    server: t.server,
    url: t.url,
    wsUrl: t.wsUrl,
    async stop() {
      for (const ws of live) ws.terminate();
      live.clear();
      await t.stop();
    },
  };
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 2_000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return;
    } catch {}
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------- HTTP

export type { Res };

export function http(gw: Gateway, method: string, path: string, opts: RequestOptions = {}): Promise<Res> {
  return request(gw.url, method, path, opts);
}

/** The one error shape: {error: {code, message}} and nothing else. */
export function expectError(res: Res, status: number, code: string): void {
  expect({ status: res.status, body: res.body }, res.text).toEqual({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
  expect(res.body.error.message.length).toBeGreaterThan(0);
}

// ------------------------------------------------------------------------------ accounts

export interface Account {
  token: string;
  user: { id: string; email: string; role: string };
}

let accounts = 0;

export async function signUp(gw: Gateway, tag = 'fan'): Promise<Account> {
  const email = `${tag}-${process.pid}-${++accounts}@example.com`;
  const r = await http(gw, 'POST', '/api/accounts/register', { json: { email, password: 'fan-password-1' } });
  expect(r.status, r.text).toBe(201);
  return { token: r.body.token, user: r.body.user };
}

const adminTokens = new WeakMap<Gateway, Promise<Account>>();

/** The admin created from ONSALE_ADMIN_EMAIL / ONSALE_ADMIN_PASSWORD at start-up. */
export function admin(gw: Gateway): Promise<Account> {
  let a = adminTokens.get(gw);
  if (!a) {
    a = http(gw, 'POST', '/api/accounts/login', { json: ADMIN }).then((r) => {
      expect(r.status, r.text).toBe(200);
      expect(r.body.user.role).toBe('admin');
      return { token: r.body.token, user: r.body.user };
    });
    adminTokens.set(gw, a);
  }
  return a;
}

/** A new account given `role` by the admin (PUT /api/admin/users/:id/role). */
export async function withRole(
  gw: Gateway,
  role: 'fan' | 'operator' | 'admin' | 'scanner',
): Promise<Account> {
  const acct = await signUp(gw, role);
  if (role === 'fan') return acct;
  const r = await http(gw, 'PUT', `/api/admin/users/${acct.user.id}/role`, {
    token: (await admin(gw)).token,
    json: { role },
  });
  expect(r.status, r.text).toBe(200);
  return { token: acct.token, user: { ...acct.user, role } };
}

// ------------------------------------------------------------------------------ seat map

export interface EventState {
  version: number;
  sale: string;
  status: number[];
  holds: {
    holdId: string;
    fanId: string;
    seats: number[];
    area: string | null;
    places: number;
    expiresAt: number;
  }[];
  orders: unknown[];
}

export async function eventState(gw: Gateway): Promise<EventState> {
  const r = await http(gw, 'GET', `/internal/events/${EVENT}/state`);
  expect(r.status).toBe(200);
  return r.body;
}

/** Everything the actor holds for the demo event, hashed: equal digests, equal state. */
export async function stateDigest(gw: Gateway): Promise<{ version: number; digest: string }> {
  const r = await http(gw, 'GET', `/internal/events/${EVENT}/state`);
  expect(r.status).toBe(200);
  return { version: r.body.version, digest: createHash('sha256').update(r.text).digest('hex') };
}

/** The public snapshot: GET /api/events/:id/seats. */
export async function seatsSnapshot(gw: Gateway): Promise<{ version: number; status: Uint8Array }> {
  const r = await http(gw, 'GET', `/api/events/${EVENT}/seats`);
  expect(r.status).toBe(200);
  return { version: r.body.version, status: new Uint8Array(Buffer.from(r.body.status, 'base64')) };
}

export function seatNumber(gw: Gateway, seatId: string): number {
  const n = gw.server.events.running(EVENT)!.layout.seatIndex.get(seatId);
  if (n === undefined) throw new Error(`no seat ${seatId}`);
  return n;
}

/** Seat ids `section-row-1` … `section-row-count`. */
export function seatsOf(section: number, row: string, count: number, from = 1): string[] {
  return Array.from({ length: count }, (_, i) => `${section}-${row}-${from + i}`);
}

// --------------------------------------------------------------------------- raw sockets

export function decodeFrame(data: unknown): Msg {
  if (typeof data === 'string') return JSON.parse(data);
  if (data instanceof ArrayBuffer) return packr.unpack(new Uint8Array(data));
  if (Array.isArray(data)) return packr.unpack(Buffer.concat(data));
  return packr.unpack(data as Uint8Array);
}

export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    // biome-ignore lint/suspicious/noExplicitAny: checked by the tests
    readonly body: any,
  ) {
    super(`upgrade refused with ${status}`);
  }
}

/** A socket speaking the protocol by hand: frames in, every server message kept in order. */
export class RawClient {
  readonly inbox: Msg[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private wake: (() => void) | null = null;
  private seq = 0;

  private constructor(
    readonly ws: WebSocket,
    readonly json: boolean,
  ) {
    ws.on('message', (data, isBinary) => {
      this.inbox.push(decodeFrame(isBinary ? data : data.toString()));
      this.wake?.();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake?.();
      }),
    );
  }

  /** Opens /ws; resolves after the server's hello, rejects with UpgradeRefused on a refusal. */
  static open(
    gw: Gateway,
    opts: { token?: string; json?: boolean; localAddress?: string; query?: string } = {},
  ): Promise<RawClient> {
    const q = new URLSearchParams(opts.query ?? '');
    if (opts.token) q.set('token', opts.token);
    if (opts.json) q.set('format', 'json');
    const ws = new TrackedWebSocket(`${gw.wsUrl}${q.size > 0 ? `?${q}` : ''}`, {
      localAddress: opts.localAddress,
      maxPayload: 64 << 20,
    });
    ws.binaryType = 'nodebuffer';
    const client = new RawClient(ws, opts.json === true);
    return new Promise((resolve, reject) => {
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => {
          let parsed: unknown = body;
          try {
            parsed = JSON.parse(body);
          } catch {}
          reject(new UpgradeRefused(res.statusCode ?? 0, parsed));
          ws.terminate();
        });
      });
      ws.on('error', (e) => reject(e));
      client.take((m) => m.t === 'hello', 5_000).then(() => resolve(client), reject);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(msg: Record<string, unknown>): void {
    this.ws.send(this.json ? JSON.stringify(msg) : packr.pack(msg), { binary: !this.json });
  }

  sendRaw(data: Buffer | Uint8Array | string, binary = typeof data !== 'string'): void {
    this.ws.send(data, { binary });
  }

  /** Removes and returns the first message (already received or still to come) matching `pred`. */
  async take(pred: (m: Msg) => boolean = () => true, timeoutMs = 2_000): Promise<Msg> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex(pred);
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      const left = until - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no matching message within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /**
   * Sends a ping and waits for its pong: every frame sent before it has been handled
   * (synchronous answers included). Returns and removes what arrived before the pong.
   */
  async barrier(timeoutMs = 5_000): Promise<Msg[]> {
    const id = `barrier-${++this.seq}`;
    this.send({ t: 'ping', id });
    await this.take((m) => m.t === 'pong' && m.id === id, timeoutMs);
    return this.inbox.splice(0);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

// ------------------------------------------------------------------------ SDK test double

type WebSocketCtor = NonNullable<SocketOptions['WebSocket']>;

/**
 * A WebSocket for the SDK that records every frame both ways and can drop incoming frames
 * (a lossy network) or inject frames the server never sent.
 */
export class Tap {
  readonly sent: Msg[] = [];
  readonly received: Msg[] = [];
  readonly dropped: Msg[] = [];
  /** Incoming frames for which this returns true never reach the SDK. */
  drop: (m: Msg) => boolean = () => false;
  private socket: { deliver(data: unknown): void } | null = null;
  readonly WebSocket: WebSocketCtor;

  constructor() {
    const tap = this;
    this.WebSocket = class TapSocket {
      onopen: ((ev: unknown) => void) | null = null;
      onclose: ((ev: { code: number; reason: string }) => void) | null = null;
      onerror: ((ev: unknown) => void) | null = null;
      onmessage: ((ev: { data: unknown }) => void) | null = null;
      private inner: WebSocket;

      constructor(url: string) {
        this.inner = new TrackedWebSocket(url);
        this.inner.binaryType = 'arraybuffer';
        this.inner.onopen = (e) => this.onopen?.(e);
        this.inner.onerror = (e) => this.onerror?.(e);
        this.inner.onclose = (e) => this.onclose?.({ code: e.code, reason: e.reason });
        this.inner.onmessage = (e) => {
          const m = decodeFrame(e.data);
          tap.received.push(m);
          if (tap.drop(m)) tap.dropped.push(m);
          else this.deliver(e.data);
        };
        tap.socket = this;
      }

      deliver(data: unknown): void {
        this.onmessage?.({ data });
      }

      get binaryType(): string {
        return this.inner.binaryType;
      }

      set binaryType(v: string) {
        this.inner.binaryType = v as 'arraybuffer';
      }

      get readyState(): number {
        return this.inner.readyState;
      }

      send(data: string | Uint8Array): void {
        tap.sent.push(decodeFrame(data));
        this.inner.send(data);
      }

      close(code?: number): void {
        this.inner.close(code);
      }
    };
  }

  /** Hands the SDK a frame as if the server had sent it. */
  inject(msg: Record<string, unknown>): void {
    const bytes = packr.pack(msg);
    this.socket!.deliver(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
}

// ------------------------------------------------------------------------------ metrics

/** The value of one sample line of /metrics (`name{labels} value`), or null when absent. */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return null;
}
