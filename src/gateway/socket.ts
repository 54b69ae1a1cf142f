import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { deflateRawSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { DeltaBatch, DeltaSink } from '../actors/ports.ts';
import { refuseWithoutHost } from './http.ts';
import type { LiveEvent, LiveEvents } from './live-events.ts';
import type { Metrics } from './metrics.ts';
import type { RateLimiter } from './rate-limit.ts';
import { remoteIp, type User } from './router.ts';
import type { Result, SeatCommands } from './seat-commands.ts';
import { type ClientMessage, decode, encode, queueTopic, seatTopic } from './socket-protocol.ts';

// The WebSocket endpoint: seat-map subscriptions (snapshot, then coalesced deltas published
// once per batch to the event's topic, fanned out by uWS in C++), holds with request ids,
// and the waiting room's broadcasts. Limits: sockets per process (below the open-file
// limit), sockets per IP, frame size, back-pressure per socket; bad frames get an error
// frame and change nothing.

export interface SocketConfig {
  maxSockets: number;
  maxSocketsPerIp: number;
  maxPayload: number;
  maxBackpressure: number;
  idleTimeoutSeconds: number;
}

interface Conn {
  id: number;
  ip: string;
  json: boolean;
  user: User | null;
  closed: boolean;
  /** Events whose seat topic this socket is subscribed to (for the subscription gauge). */
  subs: Set<string>;
  /** Frames waiting for this turn's corked write. */
  out: (Uint8Array | string)[];
  /** The socket, from open() until close(). */
  ws: WebSocket<Conn> | null;
}

/** Publishes committed seat deltas and waiting-room ticks; attached to the app once it exists. */
export class TopicSink implements DeltaSink {
  private app: TemplatedApp | null = null;
  /**
   * The binary `snap` frame of each event, kept until its next delta is published: a storm
   * of subscribers costs one read and one deflate per tick, not one each. A frame read
   * before a publish is still good for sockets that subscribed before it (they get that
   * delta, which starts at or before the frame's version + 1); later ones need a new one.
   */
  private snaps = new Map<string, Promise<Uint8Array>>();
  constructor(private readonly metrics: Metrics) {}

  snapshotFrame(live: LiveEvent): Promise<Uint8Array> {
    let frame = this.snaps.get(live.id);
    if (!frame) {
      frame = live.handle.durableSeats().then((d) => {
        // Statuses are a few values in long runs: the stadium's 81 KB deflate to 0.4–20 KB.
        const z = deflateRawSync(d.status, { level: 1 });
        this.metrics.snapshotBytes.observe(z.byteLength);
        return encode({ t: 'snap', e: live.id, v: d.version, z, a: d.areas }, false) as Uint8Array;
      });
      frame.catch(() => this.snaps.delete(live.id));
      this.snaps.set(live.id, frame);
    }
    return frame;
  }

  attach(app: TemplatedApp): void {
    this.app = app;
  }

  publish(batch: DeltaBatch): void {
    this.snaps.delete(batch.eventId);
    const app = this.app;
    if (!app) return;
    const msg = {
      t: 'delta',
      e: batch.eventId,
      f: batch.fromVersion,
      v: batch.toVersion,
      s: batch.seats,
      a: batch.areas,
    };
    const frame = encode(msg, false) as Uint8Array;
    app.publish(seatTopic(batch.eventId, false), frame, true, false);
    const jsonTopic = seatTopic(batch.eventId, true);
    if (app.numSubscribers(jsonTopic) > 0) app.publish(jsonTopic, encode(msg, true) as string, false, false);
    this.metrics.deltaBytes.inc(frame.byteLength);
    // uWS sends to each subscriber after this returns, in C++ on this thread.
    this.metrics.fanoutLatency.observe((performance.now() - batch.committedAt) / 1000);
  }

  reset(eventId: string, version: number): void {
    this.snaps.delete(eventId);
    this.broadcast(seatTopic(eventId, false), seatTopic(eventId, true), {
      t: 'reset',
      e: eventId,
      v: version,
    });
  }

  /** One message to every subscriber of a topic, in both encodings. */
  broadcast(binaryTopic: string, jsonTopic: string, msg: Record<string, unknown>): void {
    const app = this.app;
    if (!app) return;
    app.publish(binaryTopic, encode(msg, false), true, false);
    if (app.numSubscribers(jsonTopic) > 0) app.publish(jsonTopic, encode(msg, true), false, false);
  }

  queueTick(eventId: string, tick: Record<string, unknown>): void {
    this.broadcast(queueTopic(eventId, false), queueTopic(eventId, true), {
      t: 'queue',
      e: eventId,
      ...tick,
    });
  }
}

export function socketRoutes(
  app: TemplatedApp,
  deps: {
    config: SocketConfig;
    events: LiveEvents;
    seats: SeatCommands;
    sink: TopicSink;
    metrics: Metrics;
    limiter: RateLimiter;
    log: Logger;
    authenticate(token: string): Promise<User | null>;
  },
): { count(): number } {
  const { config, events, seats, metrics, limiter, log } = deps;
  let open = 0;
  let nextId = 1;
  const perIp = new Map<string, number>();
  // Upgrades let through while their token is checked hold a slot until res.upgrade (which
  // runs open() at once) or their refusal, so a burst of concurrent upgrades cannot overshoot
  // the caps while the database answers.
  let pending = 0;
  const pendingPerIp = new Map<string, number>();
  const count = (m: Map<string, number>, ip: string, by: number) => {
    const n = (m.get(ip) ?? 0) + by;
    if (n <= 0) m.delete(ip);
    else m.set(ip, n);
  };

  // Replies leave in one write per socket per loop turn: a journal batch releases hundreds
  // of replies at once, and uncorked each would be its own syscall (~5 µs here). Snapshots
  // go at once instead, so no delta published meanwhile can overtake them.
  // Sending on a closed uWS socket throws: flush skips connections closed since they queued.
  const corked = new Set<Conn>();
  const flush = () => {
    for (const c of corked) {
      const ws = c.ws;
      const frames = c.out;
      c.out = [];
      if (c.closed || !ws) continue;
      ws.cork(() => {
        for (const f of frames) ws.send(f, !c.json, false);
      });
    }
    corked.clear();
  };
  const send = (ws: WebSocket<Conn>, msg: Record<string, unknown>) => {
    const c = ws.getUserData();
    if (c.closed) return;
    if (corked.size === 0) setImmediate(flush);
    c.out.push(encode(msg, c.json));
    corked.add(c);
  };
  const sendFrameNow = (ws: WebSocket<Conn>, frame: Uint8Array | string) => {
    const c = ws.getUserData();
    if (c.closed) return;
    if (c.out.length > 0) {
      // Keep the order: what is queued for this socket goes first.
      corked.delete(c);
      for (const f of c.out.splice(0)) ws.send(f, !c.json, false);
    }
    ws.send(frame, !c.json, false);
  };
  const sendNow = (ws: WebSocket<Conn>, msg: Record<string, unknown>) => {
    const c = ws.getUserData();
    if (!c.closed) sendFrameNow(ws, encode(msg, c.json));
  };
  const reply = (ws: WebSocket<Conn>, id: number | string, r: Result) =>
    send(
      ws,
      r.ok
        ? { t: 'reply', id, ok: true, value: r.value }
        : { t: 'reply', id, ok: false, error: { code: r.code, message: r.message } },
    );
  const error = (ws: WebSocket<Conn>, code: string, message: string, id?: number | string) =>
    send(ws, id === undefined ? { t: 'error', code, message } : { t: 'error', id, code, message });

  const snapshot = async (ws: WebSocket<Conn>, eventId: string) => {
    const live = events.get(eventId);
    if (!live) return error(ws, 'EVENT_NOT_FOUND', `no event "${eventId.slice(0, 64)}"`);
    if (!ws.getUserData().json) return sendFrameNow(ws, await deps.sink.snapshotFrame(live));
    // JSON sockets are for debugging: the raw statuses as base64, read each time.
    const snap = await live.handle.durableSeats();
    sendNow(ws, { t: 'snap', e: eventId, v: snap.version, s: snap.status, a: snap.areas });
  };

  const needUser = (ws: WebSocket<Conn>, id: number | string): User | null => {
    const c = ws.getUserData();
    if (!c.user) error(ws, 'UNAUTHENTICATED', 'sign in first (token in the URL or an auth message)', id);
    else if (limiter.take(c.ip, c.user.id) > 0) {
      error(ws, 'RATE_LIMITED', 'too many requests; slow down', id);
      return null;
    }
    return c.user;
  };

  const handle = async (ws: WebSocket<Conn>, msg: ClientMessage) => {
    const c = ws.getUserData();
    switch (msg.t) {
      case 'auth': {
        // A refused token is an error frame, and error frames change nothing: whoever was
        // signed in stays signed in.
        const user = await deps.authenticate(msg.token);
        if (!user) return error(ws, 'UNAUTHENTICATED', 'unknown or expired token');
        c.user = user;
        return send(ws, { t: 'authed', user: { id: user.id, role: user.role } });
      }
      case 'sub':
        if (!events.get(msg.e)) return error(ws, 'EVENT_NOT_FOUND', `no event "${msg.e.slice(0, 64)}"`);
        // Subscribe first: deltas that overtake the snapshot are older than it and ignored.
        if (!c.subs.has(msg.e) && ws.subscribe(seatTopic(msg.e, c.json))) {
          c.subs.add(msg.e);
          metrics.subscriptions.inc({ event: msg.e });
        }
        return snapshot(ws, msg.e);
      case 'unsub':
        if (c.subs.delete(msg.e) && ws.unsubscribe(seatTopic(msg.e, c.json)))
          metrics.subscriptions.dec({ event: msg.e });
        return;
      case 'resync':
        return snapshot(ws, msg.e);
      case 'qsub':
        ws.subscribe(queueTopic(msg.e, c.json));
        return;
      case 'qunsub':
        ws.unsubscribe(queueTopic(msg.e, c.json));
        return;
      case 'ping':
        return send(ws, { t: 'pong', id: msg.id });
      case 'hold': {
        const user = needUser(ws, msg.id);
        if (!user) return;
        const { seats: ids, best, ga } = msg;
        if ([ids, best, ga].filter(Boolean).length !== 1) {
          return error(ws, 'INVALID_MESSAGE', 'give exactly one of seats, best or ga', msg.id);
        }
        return reply(
          ws,
          msg.id,
          await seats.hold(
            user,
            { eventId: msg.e, seats: ids, best, ga },
            { key: msg.key, accessToken: msg.access },
          ),
        );
      }
      case 'release': {
        const user = needUser(ws, msg.id);
        if (!user) return;
        return reply(ws, msg.id, await seats.release(user, msg.hold, msg.key));
      }
      case 'extend': {
        const user = needUser(ws, msg.id);
        if (!user) return;
        return reply(ws, msg.id, await seats.extend(user, msg.hold, msg.seconds));
      }
    }
  };

  app.ws<Conn>('/ws', {
    compression: 0,
    // uWS drops a connection sending more than this without a close frame; frames between
    // maxPayload and this get a proper 1009 close from message() below.
    maxPayloadLength: config.maxPayload * 4,
    maxBackpressure: config.maxBackpressure,
    idleTimeout: config.idleTimeoutSeconds,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      if (refuseWithoutHost(res, req.getHeader('host'))) return;
      const ip = remoteIp(res);
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const query = new URLSearchParams(req.getQuery() ?? '');
      const refuse = (status: string, code: string, message: string): void => {
        res.cork(() => {
          res
            .writeStatus(status)
            .writeHeader('content-type', 'application/json')
            .end(JSON.stringify({ error: { code, message } }));
        });
      };
      // Refuse cleanly before the process runs out of file descriptors.
      if (open + pending >= config.maxSockets)
        return refuse('503 Service Unavailable', 'TOO_MANY_SOCKETS', 'the server is full; retry shortly');
      if ((perIp.get(ip) ?? 0) + (pendingPerIp.get(ip) ?? 0) >= config.maxSocketsPerIp) {
        return refuse(
          '429 Too Many Requests',
          'TOO_MANY_SOCKETS_FROM_IP',
          'too many connections from this address',
        );
      }
      const abort = { aborted: false };
      res.onAborted(() => {
        abort.aborted = true;
      });
      const token = query.get('token');
      const userPromise = token ? deps.authenticate(token) : Promise.resolve(null);
      pending++;
      count(pendingPerIp, ip, 1);
      const settle = () => {
        pending--;
        count(pendingPerIp, ip, -1);
      };
      userPromise.then(
        (user) => {
          settle(); // open() below takes the slot over, in this same call
          if (abort.aborted) return;
          if (token && !user)
            return refuse('401 Unauthorized', 'UNAUTHENTICATED', 'unknown or expired token');
          const conn: Conn = {
            id: nextId++,
            ip,
            json: query.get('format') === 'json',
            user,
            closed: false,
            subs: new Set(),
            out: [],
            ws: null,
          };
          res.cork(() => {
            res.upgrade(conn, key, protocol, extensions, context);
          });
        },
        () => {
          settle();
          if (!abort.aborted) refuse('503 Service Unavailable', 'UNAVAILABLE', 'could not check the token');
        },
      );
    },
    open: (ws) => {
      const c = ws.getUserData();
      c.ws = ws;
      open++;
      perIp.set(c.ip, (perIp.get(c.ip) ?? 0) + 1);
      metrics.sockets.set(open);
      send(ws, {
        t: 'hello',
        format: c.json ? 'json' : 'msgpack',
        user: c.user ? { id: c.user.id, role: c.user.role } : null,
      });
    },
    message: (ws, data, isBinary) => {
      if (data.byteLength > config.maxPayload) {
        ws.end(1009, `frames are limited to ${config.maxPayload} bytes`);
        return;
      }
      let msg: ClientMessage;
      try {
        msg = decode(data, isBinary);
      } catch (e) {
        const m = e instanceof Error ? e.message.slice(0, 200) : 'malformed frame';
        return error(ws, 'INVALID_MESSAGE', m);
      }
      handle(ws, msg).catch((e: unknown) => {
        log.error({ err: e, conn: ws.getUserData().id }, 'socket message failed');
        error(ws, 'INTERNAL', 'the server could not complete the request');
      });
    },
    close: (ws, code) => {
      const c = ws.getUserData();
      c.closed = true;
      c.ws = null;
      c.out = [];
      metrics.socketCloses.inc({ code: String(code) });
      for (const e of c.subs) metrics.subscriptions.dec({ event: e });
      open--;
      const n = (perIp.get(c.ip) ?? 1) - 1;
      if (n <= 0) perIp.delete(c.ip);
      else perIp.set(c.ip, n);
      metrics.sockets.set(open);
    },
  });
  return { count: () => open };
}
