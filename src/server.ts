import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isAppPath } from '../client/web/lib/routes.ts';
import { Accounts } from './accounts/accounts.ts';
import { bootstrapAdmin } from './accounts/bootstrap-admin.ts';
import { accountRoutes } from './accounts/routes.ts';
import { Directory } from './actors/directory.ts';
import { Catalog } from './catalog/catalog.ts';
import { type EventInfo, EventSpecs } from './catalog/live.ts';
import { catalogRoutes } from './catalog/routes.ts';
import { CatalogStore } from './catalog/store.ts';
import { ClusterDashboard } from './cluster/dashboard.ts';
import { ClusterRooms } from './cluster/rooms.ts';
import { clusterRoutes } from './cluster/routes.ts';
import { SharedRateLimiter } from './cluster/shared-limits.ts';
import { connectCluster, startCluster } from './cluster/start.ts';
import type { Config } from './config.ts';
import { OperatorFeed, opsTopic, opsWatched } from './dashboard/feed.ts';
import { dashboardRoutes } from './dashboard/routes.ts';
import { dashboardSocketHandlers } from './dashboard/socket-handlers.ts';
import type { Availability } from './domain/queries.ts';
import { AppError } from './errors.ts';
import { refuseWithoutHost, sendError, sendJson, watchAbort } from './gateway/http.ts';
import { createMetrics } from './gateway/metrics.ts';
import { RateLimiter, type WriteLimiter } from './gateway/rate-limit.ts';
import { type RouteInfo, Router } from './gateway/router.ts';
import { Sockets } from './gateway/sockets.ts';
import { assertNativeUws, uWS } from './gateway/uws.ts';
import { loadWebApp, webRoutes } from './gateway/web.ts';
import { OutboxSender } from './notifications/sender.ts';
import { mailTransport } from './notifications/transport.ts';
import { presaleCodeValid } from './orders/codes.ts';
import { queuePaidMail, queueRefundMail } from './orders/mail.ts';
import { CANCELLED, Orders } from './orders/orders.ts';
import { orderRoutes } from './orders/routes.ts';
import { salesReport } from './orders/sales.ts';
import { observeBreaker } from './payments/breaker-metrics.ts';
import { openPayments, ownWebhookUrl, type Payments } from './payments/open-provider.ts';
import type { PaymentEventSink } from './payments/provider.ts';
import { paymentsRoutes } from './payments/routes.ts';
import { recordWebhook } from './payments/webhooks.ts';
import type { Db } from './persistence/db.ts';
import { delayAppends } from './persistence/fault-injection.ts';
import { DbJournal } from './persistence/journal.ts';
import { observeJournal } from './persistence/journal-metrics.ts';
import { openDb } from './persistence/open-db.ts';
import { DbSnapshots } from './persistence/snapshots.ts';
import { ResaleMarket } from './resale/market.ts';
import { resaleRoutes } from './resale/routes.ts';
import { scanningRoutes } from './scanning/routes.ts';
import { Scanning } from './scanning/scanning.ts';
import { ticketCredentials } from './scanning/tickets-adapter.ts';
import { DeltaFeed } from './seating/delta-feed.ts';
import { internalRoutes } from './seating/internal-routes.ts';
import { type LiveEvent, LiveEvents } from './seating/live-events.ts';
import { seatingRoutes } from './seating/routes.ts';
import { SeatCommands } from './seating/seat-commands.ts';
import { SeatPublisher, seatSocketHandlers, watched } from './seating/socket-handlers.ts';
import { ticketRoutes } from './tickets/routes.ts';
import { Tickets } from './tickets/tickets.ts';
import type { User } from './user.ts';
import { CapacityFollower, DEFAULT_POLICY } from './waiting-room/capacity.ts';
import { type RoomsPort, WaitingRooms } from './waiting-room/rooms.ts';
import { waitingRoomRoutes } from './waiting-room/routes.ts';
import { publishTick, queueSocketHandlers, queueWatched } from './waiting-room/socket-handlers.ts';

export interface Server {
  port: number;
  directory: Directory<EventInfo>;
  events: LiveEvents;
  db: Db;
  /** The events' waiting rooms (their ticks go to the queue/<eventId> topics). */
  rooms: WaitingRooms;
  /** Venues, performers, events and search. */
  catalog: Catalog;
  /** The mail outbox's sender: wake() it after a transaction that enqueued mail commits. */
  mail: OutboxSender;
  /** The payment provider (behind its circuit breaker, as orders calls it), the breaker, the simulator if it is the provider. */
  payments: Payments;
  /** Checkout, orders, refunds (src/orders). */
  orders: Orders;
  /** The resale market (src/resale). */
  resale: ResaleMarket;
  /** Open WebSockets right now. */
  sockets(): number;
  /** Every HTTP route of the router (tests walk them). */
  routes: readonly RouteInfo[];
  close(): Promise<void>;
}

export interface StartOptions {
  /**
   * The database, already opening (`openDb` with the config's settings): main.ts starts it
   * before loading the rest of the server, so that the two overlap. Else opened here.
   */
  db?: Promise<Db>;
  /** Where verified payment webhooks go (tests record them); else the server's own. */
  paymentSink?: PaymentEventSink;
}

/**
 * Builds the server bottom-up, each part from the ones below it: the database, accounts, the
 * HTTP/WebSocket kit, the engine (journal, actors, commit stream), then the capabilities
 * and their routes. Event actors start on first use (and those with live holds now).
 */
export async function startServer(config: Config, log: Logger, opts: StartOptions = {}): Promise<Server> {
  assertNativeUws();
  // The web app is read from client/web/dist (built there first if missing), meanwhile.
  const webApp = loadWebApp(undefined, (msg) => log.info(msg));
  webApp.catch(() => {}); // awaited below; a failure there must not be unhandled before
  const db = await (opts.db ??
    openDb({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.ONSALE_DATA_DIR,
      schema: config.ONSALE_DB_SCHEMA,
      poolSize: config.ONSALE_DB_POOL_SIZE,
    }));
  log.info(
    { database: db.kind, dataDir: db.kind === 'pglite' ? config.ONSALE_DATA_DIR : undefined },
    'database ready',
  );
  const accounts = new Accounts(db, { sessionTtlMs: config.ONSALE_SESSION_DAYS * 24 * 60 * 60 * 1000 });
  await bootstrapAdmin(accounts, config.ONSALE_ADMIN_EMAIL, config.ONSALE_ADMIN_PASSWORD, log);
  const authenticate = (token: string): Promise<User | null> => accounts.authenticate(token);

  // The kit: HTTP router and WebSocket endpoint, limits, metrics.
  const metrics = createMetrics();
  const perIp = { rate: config.ONSALE_RATE_IP_PER_SEC, burst: config.ONSALE_RATE_IP_PER_SEC * 2 };
  const perAccount = {
    rate: config.ONSALE_RATE_ACCOUNT_PER_SEC,
    burst: config.ONSALE_RATE_ACCOUNT_PER_SEC * 2,
  };
  // Cluster mode (src/cluster): its Redis link first, for the limits shared by the members.
  const clusterConfig = config.ONSALE_REDIS_URL
    ? {
        redisUrl: config.ONSALE_REDIS_URL,
        prefix: config.ONSALE_CLUSTER_PREFIX,
        id: config.ONSALE_NODE_ID,
        leaseMs: config.ONSALE_LEASE_MS,
        sockets: () => sockets.count(),
        dropEvery: config.ONSALE_FAULT_FANOUT_DROP_EVERY,
      }
    : null;
  const clusterLink = clusterConfig ? await connectCluster(clusterConfig, log) : null;
  const localLimits = new RateLimiter(perIp, perAccount);
  const limiter: WriteLimiter = clusterLink
    ? new SharedRateLimiter(localLimits, clusterLink.redis, clusterLink.keys, perIp, perAccount)
    : localLimits;
  const app = uWS.App();
  const router = new Router(app, { log, metrics, limiter, authenticate });
  // Mail: the outbox's sender, to SMTP_URL or to .eml files (src/notifications).
  const mail = new OutboxSender(db, mailTransport(config), { from: config.ONSALE_MAIL_FROM, log, metrics });
  const sockets = new Sockets(app, {
    config: {
      maxSockets: config.ONSALE_MAX_SOCKETS,
      maxSocketsPerIp: config.ONSALE_MAX_SOCKETS_PER_IP,
      maxPayload: 16 * 1024,
      maxBackpressure: config.ONSALE_WS_MAX_BACKPRESSURE,
      idleTimeoutSeconds: 60,
    },
    metrics,
    limiter,
    log,
    authenticate,
  });

  // The engine: the journal (measured, slowed down for crash tests), snapshots, the actors,
  // started from the catalog's specs on first use, and the commit stream.
  const observed = observeJournal(new DbJournal(db), {
    batch: (n) => metrics.journalBatch.observe(n),
    commit: (s) => metrics.journalCommit.observe(s),
  });
  // The operators' dashboard times the appends of the events it watches (src/dashboard).
  let rooms: WaitingRooms | undefined;
  const dashboard: OperatorFeed = new OperatorFeed({
    sockets,
    availability: async (eventId): Promise<Availability | null> => {
      const live: LiveEvent | null = await events.get(eventId);
      return live ? live.handle.query('availability', {}) : null;
    },
    room: (eventId) => rooms?.info(eventId),
    sales: (eventId) => salesReport(db, eventId),
    log,
  });
  const journal = dashboard.observe(
    config.ONSALE_FAULT_APPEND_DELAY_MS > 0
      ? delayAppends(observed, config.ONSALE_FAULT_APPEND_DELAY_MS)
      : observed,
  );
  const store = new CatalogStore(db);
  const specs = new EventSpecs(store);
  const directory = new Directory<EventInfo>(
    {
      journal,
      snapshots: new DbSnapshots(db, { journalRetentionDays: config.ONSALE_JOURNAL_RETENTION_DAYS }),
      log,
    },
    {
      specs: (eventId) => specs.load(eventId),
      idleMs: config.ONSALE_ACTOR_IDLE_SECONDS * 1000,
      // Fans watching the seat map keep its actor up.
      keepAlive: (eventId) => watched(sockets, eventId),
    },
  );

  // The live seat map: committed seat changes, coalesced per tick, to each event's topic.
  const publisher = new SeatPublisher(sockets, metrics);
  // Cluster mode (src/cluster): events run on their lease holders, reached over Redis, and
  // seat changes cross processes; otherwise everything runs here.
  const cluster = clusterLink ? await startCluster(clusterLink, clusterConfig!, directory, log) : null;
  // Each member's /metrics say whose they are.
  if (cluster) metrics.registry.setDefaultLabels({ member: cluster.node.id, pid: String(process.pid) });
  const feed = new DeltaFeed(
    cluster ? cluster.fanout.sink(publisher) : publisher,
    (eventId) => directory.get(eventId)?.spec.layout.seatCount ?? 0,
  );
  directory.commits.subscribe(feed);
  // Other members' events that fans here watch.
  cluster?.fanout.listen(
    publisher,
    {
      deltasFor: (eventId) => !directory.get(eventId) && watched(sockets, eventId),
      wanted: (eventId) =>
        watched(sockets, eventId) || queueWatched(sockets, eventId) || opsWatched(sockets, eventId),
    },
    {
      ticks: (eventId, tick) => publishTick(sockets, eventId, tick),
      ops: (eventId, stats) => sockets.publish(opsTopic(eventId), { t: 'stats', ...stats }),
    },
  );
  // The dashboard of an event owned elsewhere is read at its owner (src/cluster/dashboard.ts).
  const dashboardPort = cluster
    ? new ClusterDashboard(cluster.node, dashboard, cluster.fanout, (eventId) => opsWatched(sockets, eventId))
    : dashboard;
  const events = new LiveEvents(
    directory,
    cluster
      ? {
          locator: cluster.locator,
          specs: (eventId) => specs.load(eventId),
          running: async () => (await cluster.node.leases.list()).map((l) => l.eventId),
        }
      : undefined,
  );

  // The waiting rooms; admission follows each event's spare capacity (capacity.ts).
  const capacity =
    config.ONSALE_ADMISSION_FOLLOWS_LOAD === '1'
      ? new CapacityFollower(
          async (eventId) => {
            const live = await events.get(eventId);
            return live ? live.handle.query('availableToHold', {}) : null;
          },
          { ...DEFAULT_POLICY, slowMs: config.ONSALE_ADMISSION_SLOW_MS },
        )
      : null;
  /** The catalog's event, or null when there is none (drafts included). */
  const eventOrNull = async (eventId: string) => {
    try {
      return await store.getEvent(eventId);
    } catch (e) {
      if (e instanceof AppError && e.code === 'EVENT_NOT_FOUND') return null;
      throw e;
    }
  };
  rooms = await WaitingRooms.open(db, {
    secret: config.ONSALE_JWT_SECRET,
    log,
    // Rooms are for events out of draft; a running actor is one.
    event: async (eventId) => {
      if (directory.get(eventId)) return 'published';
      const ev = await eventOrNull(eventId);
      return ev === null ? null : ev.status === 'draft' ? 'draft' : 'published';
    },
    admissionRate: capacity ? (eventId, rate) => capacity.admissionRate(eventId, rate) : undefined,
    // Cluster mode: a room lives with its event's owner, loaded when it takes the event.
    lazy: cluster !== null,
    onTick: (eventId, tick) => {
      publishTick(sockets, eventId, tick);
      cluster?.fanout.tick(eventId, tick);
      metrics.queueLength.set({ event: eventId }, tick.waiting);
      metrics.admissionRate.set({ event: eventId }, tick.rate);
    },
  });
  // Cluster mode: every room call goes to the event's owner, which keeps the room.
  const roomsPort: RoomsPort = cluster ? new ClusterRooms(cluster.node, rooms) : rooms;

  // The catalog owns events, their sale (through their status) and prices.
  const catalog = await Catalog.start(db, store, directory, {
    log,
    demo: config.ONSALE_DEMO === '1',
    hooks: { saleOpened: (eventId) => roomsPort.saleOpened(eventId) },
    locator: cluster?.locator,
  });
  const seats = new SeatCommands(events, metrics, {
    // While a waiting room is on for an event, holds need its access token.
    mayHold: (eventId, user, accessToken) => roomsPort.verifyAccess(eventId, user.id, accessToken),
    presale: async (eventId, user, code) =>
      (await catalog.mayPresale(eventId, user)) ||
      (code !== undefined && (await presaleCodeValid(db, eventId, code))),
    onHold: (eventId, ms) => {
      capacity?.recordHold(eventId, ms);
      dashboard.recordHold(eventId, ms);
    },
  });

  // Payments: the provider the configuration names (Stripe, else the simulator) behind its
  // circuit breaker; verified webhooks go to the sink.
  const payments = await openPayments(db, config, { log, observer: observeBreaker(metrics) });
  // Orders: checkout, payment, booking through the actors, tickets from the commit stream,
  // refunds, the box office; their mails go through the outbox.
  // The resale market (src/resale): listings on the seat map, bought through checkout.
  const resale = new ResaleMarket(db, events, log);
  const orders = new Orders(
    {
      db,
      events,
      payments: payments.provider,
      resale,
      log,
      mailQueued: () => mail.wake(),
      publishableKey: config.STRIPE_PUBLISHABLE_KEY,
    },
    {
      orderPaid: (tx, order, eventName) => queuePaidMail(tx, order, eventName),
      orderRefunded: (tx, order, eventName, amount, reason) =>
        queueRefundMail(tx, order, eventName, amount, reason, reason.startsWith(CANCELLED)),
      eventExists: async (eventId) => (await eventOrNull(eventId)) !== null,
      closeSale: async (eventId) => {
        const ev = await store.getEvent(eventId);
        if (ev.status !== 'cancelled') await catalog.setStatus(eventId, 'cancelled');
      },
      recordWebhook,
    },
    { overdueSeconds: config.ONSALE_PAYMENT_OVERDUE_SECONDS },
  );
  orders.start(directory.commits);
  resale.start(directory.commits);
  // Tests of the payments alone may hear the webhooks themselves.
  const paymentSink: PaymentEventSink = opts.paymentSink ?? orders;

  accountRoutes(router, accounts);
  catalogRoutes(router, catalog);
  seatingRoutes(router, {
    events,
    seats,
    journal: observed,
    userByEmail: (email) => accounts.findByEmail(email),
  });
  waitingRoomRoutes(router, roomsPort);
  orderRoutes(router, { orders, db, events });
  // Tickets (src/tickets): credentials and their QR codes, reissues, transfers.
  const tickets = new Tickets(db, {
    events,
    userByEmail: (email) => accounts.findByEmail(email),
    mailQueued: () => mail.wake(),
  });
  ticketRoutes(router, { tickets, db });
  resaleRoutes(router, resale);
  clusterRoutes(router, {
    node: cluster?.node ?? null,
    single: () => ({
      member: {
        id: 'local',
        pid: process.pid,
        host: hostname(),
        startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
        events: directory.ids().length,
        sockets: sockets.count(),
        beatAt: new Date().toISOString(),
      },
      events: directory.ids(),
    }),
  });
  // Scanning at the gates (src/scanning), on the tickets' credentials.
  const scanning = new Scanning({ db, tickets: ticketCredentials, log });
  scanningRoutes(router, {
    scanning,
    eventExists: async (eventId) => {
      await store.getEvent(eventId);
    },
  });
  paymentsRoutes(router, { ...payments, sink: paymentSink });
  if (config.ONSALE_INTERNAL_API === '1') internalRoutes(router, cluster?.locator ?? directory);
  const follow = cluster ? (eventId: string) => cluster.fanout.follow(eventId) : undefined;
  seatSocketHandlers(sockets, { events, seats, publisher, metrics, follow });
  queueSocketHandlers(sockets, follow);
  dashboardRoutes(router, dashboardPort);
  dashboardSocketHandlers(sockets, dashboardPort);
  webRoutes(app, await webApp, { isAppPath });
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
    const ready = directory.ready();
    // The payment circuit is reported, not counted: an open circuit is the provider's outage,
    // the same on every node, so taking this one out of the balancer would only stop its
    // seat maps and holds too (checkouts already fail fast with PAYMENTS_UNAVAILABLE).
    const payment = { provider: payments.provider.name, circuit: payments.breaker.state() };
    sendJson(res, ready ? '200 OK' : '503 Service Unavailable', {
      ready,
      events: directory.ids().length,
      payments: payment,
    });
  });
  app.any('/*', (res, req) => {
    if (refuseWithoutHost(res, req.getHeader('host'))) return;
    sendError(
      res,
      '404 Not Found',
      'NOT_FOUND',
      `no route for ${req.getMethod().toUpperCase()} ${req.getUrl()}`,
    );
  });

  // Events whose last batch left holds live run from the start: their holds expire on time
  // and their fans find them (GET /api/holds).
  const withHolds = await new DbJournal(db).eventsWithLiveHolds();
  // Events with live holds start now (their holds must expire on time); in cluster mode on
  // whichever member placement gives them.
  for (const id of withHolds)
    void events.get(id).catch((err) => log.warn({ err, eventId: id }, 'start failed'));

  const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    app.listen(config.HOST, config.PORT, (s) =>
      s ? resolve(s) : reject(new Error(`cannot listen on ${config.HOST}:${config.PORT}`)),
    );
  });
  const port = uWS.us_socket_local_port(listenSocket);
  // The simulator delivers its webhooks to this server, whose port is known only now.
  await payments.simulated?.setWebhookUrl(ownWebhookUrl(config.HOST, port));
  mail.start();
  log.info(
    { host: config.HOST, port, events: withHolds.length, uptimeMs: Math.round(process.uptime() * 1000) },
    'onsale listening',
  );

  return {
    port,
    directory,
    events,
    db,
    rooms,
    catalog,
    mail,
    payments,
    orders,
    resale,
    sockets: () => sockets.count(),
    routes: router.routes,
    async close() {
      uWS.us_listen_socket_close(listenSocket);
      limiter.close();
      dashboard.close();
      if (dashboardPort !== dashboard) dashboardPort.close();
      await rooms.close();
      await orders.close();
      await resale.close();
      await catalog.close();
      await directory.close();
      // Leases given back once the journals are flushed: the next owner starts from there.
      await cluster?.close();
      feed.close();
      await mail.close();
      await payments.close();
      await db.close();
      log.info('onsale stopped');
    },
  };
}
