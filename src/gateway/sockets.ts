import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { Logger } from 'pino';
import type { ClientMessage, ClientMessageType } from '../../client/sdk/protocol.ts';
import { AppError } from '../errors.ts';
import type { User } from '../user.ts';
import { decode, encode } from './frames.ts';
import { refuseWithoutHost } from './http.ts';
import type { Metrics } from './metrics.ts';
import type { WriteLimiter } from './rate-limit.ts';
import { remoteIp } from './router.ts';

// The WebSocket endpoint, as a kit: connections and their caps (sockets per process, below
// the open-file limit, and per address), frame size, back-pressure, decoding and validation
// of every frame (docs/protocol.md), sign-in, corked writes, topics, and the error frames
// that change nothing. Capabilities register what each message type does (`on`); the kit
// itself answers `auth` and `ping`.

export interface SocketConfig {
  maxSockets: number;
  maxSocketsPerIp: number;
  maxPayload: number;
  maxBackpressure: number;
  idleTimeoutSeconds: number;
}

/** One connection, as handlers see it. */
export interface SocketConn {
  readonly id: number;
  readonly ip: string;
  /** ?format=json: text frames (debugging), else msgpack. */
  readonly json: boolean;
  user: User | null;
  closed: boolean;
  /** Topics joined, by their base name. */
  readonly topics: Set<string>;
  /** Frames waiting for this turn's corked write. */
  out: (Uint8Array | string)[];
  /** The socket, from open() until close(). */
  ws: WebSocket<SocketConn> | null;
}

type Handler<T extends ClientMessageType> = (
  conn: SocketConn,
  msg: Extract<ClientMessage, { t: T }>,
) => Promise<void> | void;

/** A topic's name for one encoding: binary and JSON sockets get their own frames. */
const topicOf = (topic: string, json: boolean) => (json ? `json:${topic}` : topic);

export class Sockets {
  private readonly handlers = new Map<string, Handler<ClientMessageType>>();
  private readonly leaveHooks: ((conn: SocketConn, topic: string) => void)[] = [];
  private open = 0;
  private nextId = 1;
  private readonly perIp = new Map<string, number>();
  // Upgrades let through while their token is checked hold a slot until res.upgrade (which
  // runs open() at once) or their refusal, so a burst of concurrent upgrades cannot overshoot
  // the caps while the database answers.
  private pending = 0;
  private readonly pendingPerIp = new Map<string, number>();
  // Replies leave in one write per socket per loop turn: a journal batch releases hundreds
  // of replies at once, and uncorked each would be its own syscall (~5 µs here).
  private readonly corked = new Set<SocketConn>();

  constructor(
    private readonly app: TemplatedApp,
    private readonly deps: {
      config: SocketConfig;
      metrics: Metrics;
      limiter: WriteLimiter;
      log: Logger;
      authenticate(token: string): Promise<User | null>;
    },
  ) {
    this.on('auth', async (conn, msg) => {
      // A refused token is an error frame, and error frames change nothing: whoever was
      // signed in stays signed in.
      const user = await deps.authenticate(msg.token);
      if (!user) return this.error(conn, 'UNAUTHENTICATED', 'unknown or expired token');
      conn.user = user;
      this.send(conn, { t: 'authed', user: { id: user.id, role: user.role } });
    });
    this.on('ping', (conn, msg) => this.send(conn, { t: 'pong', id: msg.id }));
    this.listen();
  }

  /** What a message type does; one handler per type. */
  on<T extends ClientMessageType>(type: T, handler: Handler<T>): void {
    if (this.handlers.has(type)) throw new Error(`socket message "${type}" has a handler already`);
    this.handlers.set(type, handler as unknown as Handler<ClientMessageType>);
  }

  /** Called for every topic a connection leaves, by unsubscribing or by closing. */
  onLeave(hook: (conn: SocketConn, topic: string) => void): void {
    this.leaveHooks.push(hook);
  }

  count(): number {
    return this.open;
  }

  /** Queues a message for this turn's write to the socket. */
  send(conn: SocketConn, msg: Record<string, unknown>): void {
    if (conn.closed) return;
    if (this.corked.size === 0) setImmediate(() => this.flush());
    conn.out.push(encode(msg, conn.json));
    this.corked.add(conn);
  }

  /**
   * Sends a frame now, after what is queued for the socket (a snapshot must leave before
   * any delta published after it was read). `frame` is already encoded for the socket's kind.
   */
  sendFrameNow(conn: SocketConn, frame: Uint8Array | string): void {
    const ws = conn.ws;
    if (conn.closed || !ws) return;
    if (conn.out.length > 0) {
      this.corked.delete(conn);
      for (const f of conn.out.splice(0)) ws.send(f, !conn.json, false);
    }
    ws.send(frame, !conn.json, false);
  }

  sendNow(conn: SocketConn, msg: Record<string, unknown>): void {
    if (!conn.closed) this.sendFrameNow(conn, encode(msg, conn.json));
  }

  /** An error frame: it changes nothing. */
  error(conn: SocketConn, code: string, message: string, id?: number | string): void {
    this.send(conn, id === undefined ? { t: 'error', code, message } : { t: 'error', id, code, message });
  }

  /** Answers a request: its value, or the AppError it was refused with; other errors propagate. */
  async answer(conn: SocketConn, id: number | string, work: Promise<unknown>): Promise<void> {
    try {
      this.send(conn, { t: 'reply', id, ok: true, value: await work });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      this.send(conn, { t: 'reply', id, ok: false, error: { code: e.code, message: e.message } });
    }
  }

  /** The signed-in user allowed one more write now, or null (having sent the error frame). */
  writer(conn: SocketConn, id: number | string): User | null {
    if (!conn.user) {
      this.error(conn, 'UNAUTHENTICATED', 'sign in first (token in the URL or an auth message)', id);
      return null;
    }
    if (this.deps.limiter.take(conn.ip, conn.user.id) > 0) {
      this.error(conn, 'RATE_LIMITED', 'too many requests; slow down', id);
      return null;
    }
    return conn.user;
  }

  /** Joins a topic; false when the connection had joined it already. */
  join(conn: SocketConn, topic: string): boolean {
    if (conn.topics.has(topic) || !conn.ws) return false;
    conn.ws.subscribe(topicOf(topic, conn.json));
    conn.topics.add(topic);
    return true;
  }

  leave(conn: SocketConn, topic: string): boolean {
    if (!conn.topics.delete(topic) || !conn.ws) return false;
    conn.ws.unsubscribe(topicOf(topic, conn.json));
    for (const hook of this.leaveHooks) hook(conn, topic);
    return true;
  }

  /** Sockets of this process on a topic, of both kinds. */
  subscribers(topic: string): number {
    return this.app.numSubscribers(topic) + this.app.numSubscribers(topicOf(topic, true));
  }

  /** One message to every subscriber of a topic, encoded once per socket kind that listens. */
  publish(topic: string, msg: Record<string, unknown>): void {
    this.app.publish(topic, encode(msg, false), true, false);
    const json = topicOf(topic, true);
    if (this.app.numSubscribers(json) > 0) this.app.publish(json, encode(msg, true), false, false);
  }

  /** A binary frame already encoded, to the binary subscribers; `msg` for the JSON ones. */
  publishFrame(topic: string, frame: Uint8Array, msg: Record<string, unknown>): void {
    this.app.publish(topic, frame, true, false);
    const json = topicOf(topic, true);
    if (this.app.numSubscribers(json) > 0) this.app.publish(json, encode(msg, true), false, false);
  }

  private flush(): void {
    // Sending on a closed uWS socket throws: connections closed since they queued are skipped.
    for (const c of this.corked) {
      const ws = c.ws;
      const frames = c.out;
      c.out = [];
      if (c.closed || !ws) continue;
      ws.cork(() => {
        for (const f of frames) ws.send(f, !c.json, false);
      });
    }
    this.corked.clear();
  }

  private countIp(m: Map<string, number>, ip: string, by: number): void {
    const n = (m.get(ip) ?? 0) + by;
    if (n <= 0) m.delete(ip);
    else m.set(ip, n);
  }

  private dispatch(conn: SocketConn, msg: ClientMessage): Promise<void> | void {
    const handler = this.handlers.get(msg.t);
    if (!handler) return this.error(conn, 'INVALID_MESSAGE', `"${msg.t}" is not served here`);
    return handler(conn, msg);
  }

  private listen(): void {
    const { config, metrics, log } = this.deps;
    this.app.ws<SocketConn>('/ws', {
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
        if (this.open + this.pending >= config.maxSockets)
          return refuse('503 Service Unavailable', 'TOO_MANY_SOCKETS', 'the server is full; retry shortly');
        if ((this.perIp.get(ip) ?? 0) + (this.pendingPerIp.get(ip) ?? 0) >= config.maxSocketsPerIp) {
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
        const userPromise = token ? this.deps.authenticate(token) : Promise.resolve(null);
        this.pending++;
        this.countIp(this.pendingPerIp, ip, 1);
        const settle = () => {
          this.pending--;
          this.countIp(this.pendingPerIp, ip, -1);
        };
        userPromise.then(
          (user) => {
            settle(); // open() below takes the slot over, in this same call
            if (abort.aborted) return;
            if (token && !user)
              return refuse('401 Unauthorized', 'UNAUTHENTICATED', 'unknown or expired token');
            const conn: SocketConn = {
              id: this.nextId++,
              ip,
              json: query.get('format') === 'json',
              user,
              closed: false,
              topics: new Set(),
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
        this.open++;
        this.countIp(this.perIp, c.ip, 1);
        metrics.sockets.set(this.open);
        this.send(c, {
          t: 'hello',
          format: c.json ? 'json' : 'msgpack',
          user: c.user ? { id: c.user.id, role: c.user.role } : null,
        });
      },
      message: (ws, data, isBinary) => {
        const conn = ws.getUserData();
        if (data.byteLength > config.maxPayload) {
          ws.end(1009, `frames are limited to ${config.maxPayload} bytes`);
          return;
        }
        let msg: ClientMessage;
        try {
          msg = decode(data, isBinary);
        } catch (e) {
          const m = e instanceof Error ? e.message.slice(0, 200) : 'malformed frame';
          return this.error(conn, 'INVALID_MESSAGE', m);
        }
        const failed = (e: unknown) => {
          if (e instanceof AppError)
            return this.error(conn, e.code, e.message, 'id' in msg ? msg.id : undefined);
          log.error({ err: e, conn: conn.id }, 'socket message failed');
          this.error(conn, 'INTERNAL', 'the server could not complete the request');
        };
        // Run at once, not on a later tick: a handler's first steps (joining a topic) must
        // come before anything published after this frame arrived.
        try {
          this.dispatch(conn, msg)?.catch(failed);
        } catch (e) {
          failed(e);
        }
      },
      close: (ws, code) => {
        const c = ws.getUserData();
        c.closed = true;
        c.ws = null;
        c.out = [];
        metrics.socketCloses.inc({ code: String(code) });
        for (const topic of c.topics) for (const hook of this.leaveHooks) hook(c, topic);
        this.open--;
        this.countIp(this.perIp, c.ip, -1);
        metrics.sockets.set(this.open);
      },
    });
  }
}
