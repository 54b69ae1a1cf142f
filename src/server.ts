import type { Logger } from 'pino';
import { Accounts } from './accounts/accounts.ts';
import { bootstrapAdmin } from './accounts/bootstrap-admin.ts';
import { accountRoutes } from './accounts/routes.ts';
import { Directory } from './actors/directory.ts';
import { Catalog } from './catalog/catalog.ts';
import { catalogRoutes } from './catalog/routes.ts';
import type { Config } from './config.ts';
import { eventRoutes } from './gateway/event-routes.ts';
import { refuseWithoutHost, sendError, sendJson, watchAbort } from './gateway/http.ts';
import { internalRoutes } from './gateway/internal-routes.ts';
import { availableToHold, LiveEvents } from './gateway/live-events.ts';
import { createMetrics } from './gateway/metrics.ts';
import { RateLimiter } from './gateway/rate-limit.ts';
import { HttpError, type RouteInfo, Router, type User } from './gateway/router.ts';
import { SeatCommands } from './gateway/seat-commands.ts';
import { socketRoutes, TopicSink } from './gateway/socket.ts';
import { assertNativeUws, uWS } from './gateway/uws.ts';
import { webRoutes } from './gateway/web.ts';
import type { Db } from './persistence/db.ts';
import { delayAppends } from './persistence/fault-injection.ts';
import { DbJournal } from './persistence/journal.ts';
import { observeJournal } from './persistence/journal-metrics.ts';
import { openDb } from './persistence/open-db.ts';
import { DbSnapshots } from './persistence/snapshots.ts';
import { DeltaFeed } from './seating/delta-feed.ts';
import { CapacityFollower, DEFAULT_POLICY } from './waiting-room/capacity.ts';
import { WaitingRooms } from './waiting-room/rooms.ts';
import { waitingRoomRoutes } from './waiting-room/routes.ts';

export interface Server {
  port: number;
  directory: Directory;
  events: LiveEvents;
  db: Db;
  /** The events' waiting rooms (their ticks go to the queue/<eventId> topics). */
  rooms: WaitingRooms;
  /** Venues, performers, events and search. */
  catalog: Catalog;
  /** Open WebSockets right now. */
  sockets(): number;
  /** Every HTTP route of the router (tests walk them). */
  routes: readonly RouteInfo[];
  close(): Promise<void>;
}

/** Builds the actor system, opens the events, and serves HTTP until closed. */
export async function startServer(config: Config, log: Logger): Promise<Server> {
  assertNativeUws();
  const db = await openDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.ONSALE_DATA_DIR,
    schema: config.ONSALE_DB_SCHEMA,
  });
  log.info(
    { database: db.kind, dataDir: db.kind === 'pglite' ? config.ONSALE_DATA_DIR : undefined },
    'database ready',
  );
  const accounts = new Accounts(db, { sessionTtlMs: config.ONSALE_SESSION_DAYS * 24 * 60 * 60 * 1000 });
  await bootstrapAdmin(accounts, config.ONSALE_ADMIN_EMAIL, config.ONSALE_ADMIN_PASSWORD, log);
  // The waiting rooms' admission follows each event's spare capacity (src/waiting-room/capacity.ts).
  let events: LiveEvents | null = null;
  const capacity =
    config.ONSALE_ADMISSION_FOLLOWS_LOAD === '1'
      ? new CapacityFollower(
          async (eventId) => {
            const live = events?.get(eventId);
            return live ? availableToHold(live) : null;
          },
          { ...DEFAULT_POLICY, slowMs: config.ONSALE_ADMISSION_SLOW_MS },
        )
      : null;
  const rooms = await WaitingRooms.open(db, {
    secret: config.ONSALE_JWT_SECRET,
    log,
    // Rooms are for events out of draft; every one of those has a live actor (the catalog,
    // declared below, answers only for the rest: drafts, and ids that name nothing).
    event: async (eventId) => {
      if (events?.get(eventId)) return 'published';
      try {
        return (await catalog.store.getEvent(eventId)).status === 'draft' ? 'draft' : 'published';
      } catch (e) {
        if (e instanceof HttpError && e.status === 404) return null;
        throw e;
      }
    },
    admissionRate: capacity ? (eventId, rate) => capacity.admissionRate(eventId, rate) : undefined,
  });
  const metrics = createMetrics();
  const sink = new TopicSink(metrics);
  const durable = observeJournal(new DbJournal(db), {
    batch: (n) => metrics.journalBatch.observe(n),
    commit: (s) => metrics.journalCommit.observe(s),
  });
  const directory = new Directory({
    journal:
      config.ONSALE_FAULT_APPEND_DELAY_MS > 0
        ? delayAppends(durable, config.ONSALE_FAULT_APPEND_DELAY_MS)
        : durable,
    snapshots: new DbSnapshots(db),
    log,
  });
  // The live seat map follows the commit stream: committed seat changes, coalesced per tick.
  const feed = new DeltaFeed(sink, (eventId) => directory.get(eventId)?.spec.layout.seatCount ?? 0);
  directory.commits.subscribe(feed);
  events = new LiveEvents(directory);
  // Catalog: venues, performers, events, search; opens every event out of draft (the demo
  // catalog, with the demo stadium, loads into an empty database).
  const catalog = await Catalog.start(db, events, {
    log,
    demo: config.ONSALE_DEMO === '1',
    hooks: { saleOpened: (eventId) => rooms.saleOpened(eventId) },
  });

  const limiter = new RateLimiter(
    { rate: config.ONSALE_RATE_IP_PER_SEC, burst: config.ONSALE_RATE_IP_PER_SEC * 2 },
    { rate: config.ONSALE_RATE_ACCOUNT_PER_SEC, burst: config.ONSALE_RATE_ACCOUNT_PER_SEC * 2 },
  );
  const app = uWS.App();
  // Accounts: sessions resolve to users for every route.
  const authenticate = (token: string): Promise<User | null> => accounts.authenticate(token);
  const router = new Router(app, { log, metrics, limiter, authenticate });
  accountRoutes(router, accounts);
  // Waiting room: while one is on for an event, holds need its access token.
  const mayHold = (eventId: string, user: User, accessToken: string | undefined) =>
    rooms.verifyAccess(eventId, user.id, accessToken);
  const seats = new SeatCommands(events, metrics, mayHold, (eventId, ms) =>
    capacity?.recordHold(eventId, ms),
  );
  eventRoutes(router, events, seats, {
    saleOpened: (eventId) => rooms.saleOpened(eventId),
    eventDetails: (ctx) => catalog.eventReply(ctx),
  });
  catalogRoutes(router, catalog);
  waitingRoomRoutes(router, rooms);
  const sockets = socketRoutes(app, {
    config: {
      maxSockets: config.ONSALE_MAX_SOCKETS,
      maxSocketsPerIp: config.ONSALE_MAX_SOCKETS_PER_IP,
      maxPayload: 16 * 1024,
      maxBackpressure: config.ONSALE_WS_MAX_BACKPRESSURE,
      idleTimeoutSeconds: 60,
    },
    events,
    seats,
    sink,
    metrics,
    limiter,
    log,
    authenticate,
  });
  sink.attach(app);
  await webRoutes(app);
  rooms.onTick = (eventId, tick) => {
    sink.queueTick(eventId, { ...tick });
    metrics.queueLength.set({ event: eventId }, tick.waiting);
    metrics.admissionRate.set({ event: eventId }, tick.rate);
  };
  app.get('/metrics', (res, req) => {
    if (refuseWithoutHost(res, req.getHeader('host'))) return;
    const abort = watchAbort(res);
    metrics.registry.metrics().then((text) => {
      if (abort.aborted) return;
      res.cork(() => res.writeHeader('content-type', metrics.registry.contentType).end(text));
    });
  });
  app.get('/healthz', (res, req) => {
    if (refuseWithoutHost(res, req.getHeader('host'))) return;
    sendJson(res, '200 OK', { status: 'ok', events: directory.ids().length });
  });
  app.get('/readyz', (res, req) => {
    if (refuseWithoutHost(res, req.getHeader('host'))) return;
    const ready = directory.ids().every((id) => directory.get(id)?.runtime?.isReady);
    sendJson(res, ready ? '200 OK' : '503 Service Unavailable', { ready });
  });
  if (config.ONSALE_INTERNAL_API === '1') internalRoutes(router, directory);
  app.any('/*', (res, req) => {
    if (refuseWithoutHost(res, req.getHeader('host'))) return;
    sendError(
      res,
      '404 Not Found',
      'NOT_FOUND',
      `no route for ${req.getMethod().toUpperCase()} ${req.getUrl()}`,
    );
  });

  const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    app.listen(config.HOST, config.PORT, (s) =>
      s ? resolve(s) : reject(new Error(`cannot listen on ${config.HOST}:${config.PORT}`)),
    );
  });
  const port = uWS.us_socket_local_port(listenSocket);
  log.info({ host: config.HOST, port, events: directory.ids().length }, 'onsale listening');

  return {
    port,
    directory,
    events,
    db,
    rooms,
    catalog,
    sockets: () => sockets.count(),
    routes: router.routes,
    async close() {
      uWS.us_listen_socket_close(listenSocket);
      limiter.close();
      await rooms.close();
      await catalog.close();
      await directory.close();
      feed.close();
      await db.close();
      log.info('onsale stopped');
    },
  };
}
