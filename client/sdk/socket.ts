import { inflateSync } from 'fflate';
import { Packr } from 'msgpackr';
import { ApiError, type HoldRequest, type HoldResult } from './http.ts';
import { PACKR_OPTIONS } from './protocol.ts';
import type { QueueTick } from './queue.ts';
import { SeatMap } from './seat-map.ts';

// The socket half of the SDK: one connection, many seat maps kept current, requests with
// ids answered by promises, and the waiting room's "now serving" broadcasts. Runs on the
// browser's WebSocket or, in Node, on the `ws` package's (pass it as `WebSocket`).

const packr = new Packr(PACKR_OPTIONS);

// Handlers take `never`: the browser's WebSocket and the `ws` package's (whose event types
// differ) then both fit without a cast; the SDK's own handlers declare what they read.
interface WebSocketLike {
  binaryType: string;
  readyState: number;
  onopen: ((ev: never) => void) | null;
  onclose: ((ev: never) => void) | null;
  onerror: ((ev: never) => void) | null;
  onmessage: ((ev: never) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number): void;
}
type WebSocketCtor = new (url: string) => WebSocketLike;

export interface SocketOptions {
  token?: string;
  /** JSON text frames instead of msgpack (debugging). */
  json?: boolean;
  WebSocket?: WebSocketCtor;
}

type Msg = Record<string, unknown> & { t: string };

export class OnsaleSocket {
  readonly maps = new Map<string, SeatMap>();
  /** Snapshots fetched again after a gap, a reset or a slow-consumer drop. */
  resyncs = 0;
  private pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private firstSnap = new Map<string, { promise: Promise<SeatMap>; resolve(m: SeatMap): void }>();
  private resyncing = new Set<string>();
  private queueListeners = new Map<string, Set<(t: QueueTick & { waiting?: number }) => void>>();
  /** Listeners of message types this class does not handle itself (operator.ts: `stats`). */
  private listeners = new Map<string, Set<(m: Msg) => void>>();
  private nextId = 1;
  private closed: Promise<{ code: number; reason: string }>;
  /** Set once the socket closed: later requests fail at once instead of waiting forever. */
  private closedWith: { code: number; reason: string } | null = null;
  onError: (e: { code: string; message: string }) => void = () => {};

  private constructor(
    private readonly ws: WebSocketLike,
    private readonly json: boolean,
  ) {
    ws.onmessage = (ev: { data: unknown }) => this.receive(ev.data);
    this.closed = new Promise((resolve) => {
      ws.onclose = (ev: { code: number; reason: string }) => {
        this.closedWith = { code: ev.code, reason: ev.reason };
        for (const p of this.pending.values()) p.reject(new ApiError(0, 'CLOSED', 'the socket closed'));
        this.pending.clear();
        resolve({ code: ev.code, reason: ev.reason });
      };
    });
  }

  /** Opens a socket and resolves once the server said hello. */
  static connect(url: string, opts: SocketOptions = {}): Promise<OnsaleSocket> {
    const Ctor = opts.WebSocket ?? (globalThis as unknown as { WebSocket: WebSocketCtor }).WebSocket;
    const q = new URLSearchParams();
    if (opts.token) q.set('token', opts.token);
    if (opts.json) q.set('format', 'json');
    const ws = new Ctor(`${url}${q.size > 0 ? `?${q}` : ''}`);
    ws.binaryType = 'arraybuffer';
    const socket = new OnsaleSocket(ws, opts.json === true);
    return new Promise((resolve, reject) => {
      ws.onerror = () => reject(new ApiError(0, 'CONNECT_FAILED', `cannot connect to ${url}`));
      socket.hello = () => {
        ws.onerror = null;
        resolve(socket);
      };
      socket.closed.then((c) => reject(new ApiError(0, 'CLOSED', `closed before hello (${c.code})`)));
    });
  }

  private hello: () => void = () => {};

  send(msg: Msg): void {
    if (this.closedWith) return; // nothing reaches a closed socket; requests fail in request()
    // Absent fields must not travel as nulls: the server's schema rejects unknown nulls.
    const clean = Object.fromEntries(Object.entries(msg).filter(([, v]) => v !== undefined));
    this.ws.send(this.json ? JSON.stringify(clean) : packr.pack(clean));
  }

  private request<T>(msg: Msg): Promise<T> {
    if (this.closedWith)
      return Promise.reject(new ApiError(0, 'CLOSED', `the socket closed (${this.closedWith.code})`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ ...msg, id });
    });
  }

  /** Subscribes to an event's seat map; resolves with the map once its snapshot arrived. */
  subscribe(eventId: string): Promise<SeatMap> {
    let map = this.maps.get(eventId);
    if (map && map.version >= 0) return Promise.resolve(map);
    if (!map) {
      map = new SeatMap(eventId);
      this.maps.set(eventId, map);
    }
    // A second subscribe before the snapshot arrived waits for the same one.
    const waiting = this.firstSnap.get(eventId);
    if (waiting) return waiting.promise;
    let resolve!: (m: SeatMap) => void;
    const promise = new Promise<SeatMap>((r) => {
      resolve = r;
    });
    this.firstSnap.set(eventId, { promise, resolve });
    this.send({ t: 'sub', e: eventId });
    return promise;
  }

  unsubscribe(eventId: string): void {
    this.maps.delete(eventId);
    this.send({ t: 'unsub', e: eventId });
  }

  hold(req: HoldRequest, opts: { key?: string; accessToken?: string } = {}): Promise<HoldResult> {
    const { eventId, ...what } = req;
    return this.request<HoldResult>({
      t: 'hold',
      e: eventId,
      ...what,
      key: opts.key,
      access: opts.accessToken,
    });
  }

  release(holdId: string, key?: string): Promise<{ holdId: string; released: number }> {
    return this.request({ t: 'release', hold: holdId, key });
  }

  extend(holdId: string, seconds: number): Promise<{ holdId: string; expiresAt: number }> {
    return this.request({ t: 'extend', hold: holdId, seconds });
  }

  /** Round trip in milliseconds. */
  async ping(): Promise<number> {
    const t = Date.now();
    await this.request({ t: 'ping' });
    return Date.now() - t;
  }

  /** Listens to an event's waiting-room broadcasts ("now serving N" and the rate). */
  onQueue(eventId: string, fn: (tick: QueueTick & { waiting?: number }) => void): () => void {
    let set = this.queueListeners.get(eventId);
    if (!set) {
      set = new Set();
      this.queueListeners.set(eventId, set);
      this.send({ t: 'qsub', e: eventId });
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Listens to server messages of a type handled elsewhere in the SDK (operator.ts: `stats`). */
  on(type: string, fn: (m: Msg) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }

  whenClosed(): Promise<{ code: number; reason: string }> {
    return this.closed;
  }

  private resync(eventId: string): void {
    if (this.resyncing.has(eventId)) return;
    this.resyncing.add(eventId);
    this.resyncs++;
    this.send({ t: 'resync', e: eventId });
  }

  private decode(data: unknown): Msg {
    if (typeof data === 'string') {
      const m = JSON.parse(data) as Msg;
      if (m.t === 'snap' && typeof m.s === 'string') m.s = Uint8Array.from(atob(m.s), (c) => c.charCodeAt(0));
      return m;
    }
    return packr.unpack(new Uint8Array(data as ArrayBuffer)) as Msg;
  }

  private receive(data: unknown): void {
    const m = this.decode(data);
    switch (m.t) {
      case 'hello':
        this.hello();
        return;
      case 'snap': {
        const map = this.maps.get(m.e as string);
        if (!map) return;
        // Binary sockets get the statuses deflated (`z`), JSON sockets raw (`s`, base64).
        const status = m.z ? inflateSync(m.z as Uint8Array) : (m.s as Uint8Array);
        map.applySnapshot(m.v as number, status, m.a as number[]);
        this.resyncing.delete(map.eventId);
        this.firstSnap.get(map.eventId)?.resolve(map);
        this.firstSnap.delete(map.eventId);
        return;
      }
      case 'delta': {
        const map = this.maps.get(m.e as string);
        // Before the first snapshot: the server subscribes before it reads the snapshot, so a
        // delta that overtakes it is already contained in it (not a gap).
        if (!map || map.version < 0 || this.resyncing.has(map.eventId)) return;
        const r = map.applyDelta(m.f as number, m.v as number, m.s as number[], m.a as number[]);
        if (r === 'gap') this.resync(map.eventId);
        return;
      }
      case 'reset':
        if (this.maps.has(m.e as string)) this.resync(m.e as string);
        return;
      case 'queue':
        for (const fn of this.queueListeners.get(m.e as string) ?? []) fn(m as unknown as QueueTick);
        return;
      case 'reply':
      case 'pong': {
        const p = this.pending.get(m.id as number);
        if (!p) return;
        this.pending.delete(m.id as number);
        if (m.t === 'pong' || m.ok) p.resolve(m.value);
        else {
          const e = m.error as { code: string; message: string };
          p.reject(new ApiError(0, e.code, e.message));
        }
        return;
      }
      case 'error': {
        const e = { code: m.code as string, message: m.message as string };
        const p = m.id === undefined ? undefined : this.pending.get(m.id as number);
        if (p) {
          this.pending.delete(m.id as number);
          p.reject(new ApiError(0, e.code, e.message));
        } else this.onError(e);
        return;
      }
      default:
        for (const fn of this.listeners.get(m.t) ?? []) fn(m);
    }
  }
}
