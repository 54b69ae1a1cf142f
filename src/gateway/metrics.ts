import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

// Every Prometheus metric the server exports, in one registry per server (tests run
// several servers in one process).

export function createMetrics() {
  const registry = new Registry();
  // Process CPU, memory, event-loop lag and GC: what an operator looks at first when replies slow down.
  collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    httpRequests: new Counter({
      name: 'onsale_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    httpLatency: new Histogram({
      name: 'onsale_http_request_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    sockets: new Gauge({ name: 'onsale_sockets', help: 'Open WebSockets', registers: [registry] }),
    socketCloses: new Counter({
      name: 'onsale_socket_closes_total',
      help: 'WebSockets closed, by close code (1006: dropped without a close frame, 1009: frame too big)',
      labelNames: ['code'],
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'onsale_subscriptions',
      help: 'Seat-map subscriptions by event',
      labelNames: ['event'],
      registers: [registry],
    }),
    commands: new Counter({
      name: 'onsale_commands_total',
      help: 'Commands applied by event, type and result',
      labelNames: ['event', 'type', 'result'],
      registers: [registry],
    }),
    holdLatency: new Histogram({
      name: 'onsale_hold_seconds',
      help: 'Time from a hold request to its durable acknowledgement',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    fanoutLatency: new Histogram({
      name: 'onsale_fanout_seconds',
      help: 'Time from a seat change becoming durable to its delta frame being published (the wait for the coalescing tick plus encoding)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    snapshotBytes: new Histogram({
      name: 'onsale_snapshot_bytes',
      help: 'Size of a seat-map snapshot frame as sent (deflated statuses), one per event and tick that had subscribers',
      buckets: [256, 1024, 4096, 16384, 65536, 262144],
      registers: [registry],
    }),
    deltaBytes: new Counter({
      name: 'onsale_delta_bytes_total',
      help: 'Bytes of delta frames published',
      registers: [registry],
    }),
    queueLength: new Gauge({
      name: 'onsale_queue_waiting',
      help: 'Fans waiting in a waiting room',
      labelNames: ['event'],
      registers: [registry],
    }),
    admissionRate: new Gauge({
      name: 'onsale_queue_admission_rate',
      help: 'Fans admitted per second',
      labelNames: ['event'],
      registers: [registry],
    }),
    journalBatch: new Histogram({
      name: 'onsale_journal_batch_commands',
      help: 'Commands per journal batch',
      buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 5000, 20000],
      registers: [registry],
    }),
    journalCommit: new Histogram({
      name: 'onsale_journal_commit_seconds',
      help: 'Journal batch commit latency',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    paymentsCircuit: new Gauge({
      name: 'onsale_payments_circuit_state',
      help: "The payment provider's circuit breaker: 0 closed, 1 half-open (probing), 2 open (failing fast)",
      registers: [registry],
    }),
    paymentCalls: new Counter({
      name: 'onsale_payment_calls_total',
      help: 'Calls to the payment provider by call and result (ok, refused, failed, timeout, open)',
      labelNames: ['call', 'result'],
      registers: [registry],
    }),
    mailSent: new Counter({
      name: 'onsale_mail_sent_total',
      help: 'Mails the transport accepted (SMTP 250, or the .eml written)',
      registers: [registry],
    }),
    mailFailures: new Counter({
      name: 'onsale_mail_failures_total',
      help: 'Failed mail attempts: result retry (tried again later) or gave_up (the mail is marked failed)',
      labelNames: ['result'],
      registers: [registry],
    }),
    outboxPending: new Gauge({
      name: 'onsale_outbox_pending',
      help: 'Mails in the outbox not sent yet and not given up on (refreshed by the sender)',
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
