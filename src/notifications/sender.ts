import type { Logger } from 'pino';
import type { Metrics } from '../gateway/metrics.ts';
import type { Db } from '../persistence/db.ts';
import { type Backoff, DEFAULT_BACKOFF, retryDelayMs } from './backoff.ts';
import { pendingMails } from './outbox.ts';
import { fromAddress, type MailTransport } from './transport.ts';

// The sender works through the outbox: it claims due rows a few at a time, sends each through
// the transport and marks it sent; a failed send is tried again later, with exponential
// backoff, until maxAttempts, when the row is marked failed and left for an operator.
//
// Delivery is AT LEAST ONCE: a crash (or a lost connection to the database) between the
// transport accepting a message (SMTP 250, the .eml renamed into place) and the UPDATE that
// records sent_at sends that message again once its claim runs out. The Message-ID is the
// same each time (transport.ts). Never more than one sender has a row at a time, though.

export interface SenderOptions {
  /** The From header: "onsale <tickets@localhost>". */
  from: string;
  log: Pick<Logger, 'error' | 'warn' | 'info' | 'debug'>;
  metrics?: Pick<Metrics, 'mailSent' | 'mailFailures' | 'outboxPending'>;
  /** How often to look for due mail; wake() looks at once. Default 1 s. */
  pollMs?: number;
  /** Rows claimed at a time. Default 10. */
  batchSize?: number;
  /** Default 1 s doubling up to 10 min. */
  backoff?: Backoff;
  /** After this many failed attempts a mail is given up on. Default 12: 13.5 to 27 minutes of retries at the default backoff. */
  maxAttempts?: number;
  /**
   * How long a claim keeps other senders off a row: longer than any one batch can take
   * (the SMTP timeouts, transport.ts). A sender that dies mid-batch frees its rows after it.
   * Default 10 min.
   */
  claimMs?: number;
  /** In [0, 1): the backoff's jitter. Math.random by default. */
  random?: () => number;
}

interface DueRow {
  id: number;
  recipient: string;
  subject: string;
  text_body: string;
  attempts: number;
  created_at: Date;
}

/** An SMTP 5xx answer: the server refuses the message for good (no such mailbox, …). */
function permanent(e: unknown): boolean {
  const code = (e as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export class OutboxSender {
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly backoff: Backoff;
  private readonly maxAttempts: number;
  private readonly claimMs: number;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly transport: MailTransport,
    private readonly opts: SenderOptions,
  ) {
    fromAddress(opts.from); // a bad ONSALE_MAIL_FROM fails at start-up, not on the first mail
    this.pollMs = opts.pollMs ?? 1000;
    this.batchSize = opts.batchSize ?? 10;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.maxAttempts = opts.maxAttempts ?? 12;
    this.claimMs = opts.claimMs ?? 10 * 60_000;
    this.random = opts.random ?? Math.random;
  }

  /** Starts polling (and sends what is due now). */
  start(): void {
    if (this.closed || this.timer) return;
    this.timer = setInterval(() => void this.run(), this.pollMs);
    this.timer.unref();
    void this.run();
  }

  /** Looks for due mail now (after a transaction that enqueued one committed). */
  wake(): void {
    void this.run();
  }

  /** Sends everything due now, including what was enqueued while a batch was in flight. */
  drain(): Promise<void> {
    return this.run();
  }

  /** Stops polling and waits for the batch in flight (its rows are marked), then closes the transport. */
  async close(): Promise<void> {
    if (this.closed) return this.running ?? undefined;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    this.transport.close();
  }

  /** One pass at a time: a call during a pass makes that pass look again before it ends. */
  private run(): Promise<void> {
    if (this.closed) return this.running ?? Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        // No await between the last look at `again` and the end of the pass, so a call that
        // joins this pass is always served by it.
        do {
          this.again = false;
          while (!this.closed && (await this.batch()) === this.batchSize) {}
          this.opts.metrics?.outboxPending.set(await pendingMails(this.db));
        } while (this.again && !this.closed);
      } catch (e) {
        // The database was unreachable, say: the next poll tries again.
        this.opts.log.warn({ err: e }, 'mail outbox pass failed');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /**
   * Claims up to batchSize due rows and sends them; returns how many it claimed. The claim is
   * one statement (so one transaction): FOR UPDATE SKIP LOCKED passes over rows another sender
   * is claiming, and moving next_attempt_at past the claim makes them not due for anyone else
   * until this sender records the outcome. The sends happen outside any transaction: on PGlite
   * (one session) an open transaction would stall every other query of the process, journal
   * appends included, for as long as the mail server takes.
   */
  private async batch(): Promise<number> {
    const { rows } = await this.db.query<DueRow>(
      `UPDATE outbox SET next_attempt_at = now() + $2::int * interval '1 millisecond'
       WHERE id IN (
         SELECT id FROM outbox
         WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
         ORDER BY next_attempt_at, id LIMIT $1::int
         FOR UPDATE SKIP LOCKED)
       RETURNING id, recipient, subject, text_body, attempts, created_at`,
      [this.batchSize, this.claimMs],
    );
    rows.sort((a, b) => a.id - b.id);
    for (const row of rows) await this.sendOne(row);
    return rows.length;
  }

  private async sendOne(row: DueRow): Promise<void> {
    const attempts = row.attempts + 1;
    try {
      await this.transport.send({
        id: row.id,
        from: this.opts.from,
        to: row.recipient,
        subject: row.subject,
        text: row.text_body,
        date: new Date(row.created_at),
      });
    } catch (e) {
      await this.failed(row, attempts, e);
      return;
    }
    // A crash here resends the message later: at least once (see the top of this file).
    await this.db.query('UPDATE outbox SET sent_at = now(), attempts = $2 WHERE id = $1', [row.id, attempts]);
    this.opts.metrics?.mailSent.inc();
    this.opts.log.debug({ outboxId: row.id, attempts }, 'mail sent');
  }

  private async failed(row: DueRow, attempts: number, e: unknown): Promise<void> {
    const error = (e instanceof Error ? e.message : String(e)).slice(0, 1000);
    const giveUp = attempts >= this.maxAttempts || permanent(e);
    const delayMs = retryDelayMs(attempts, this.backoff, this.random());
    await this.db.query(
      `UPDATE outbox SET attempts = $2, last_error = $3,
         next_attempt_at = now() + $4::int * interval '1 millisecond',
         failed_at = CASE WHEN $5::boolean THEN now() END
       WHERE id = $1`,
      [row.id, attempts, error, delayMs, giveUp],
    );
    this.opts.metrics?.mailFailures.inc({ result: giveUp ? 'gave_up' : 'retry' });
    if (giveUp)
      this.opts.log.error(
        { outboxId: row.id, attempts, err: e },
        'mail given up on: marked failed in the outbox, not sent',
      );
    else
      this.opts.log.warn(
        { outboxId: row.id, attempts, retryInMs: delayMs, error },
        'mail send failed; will retry',
      );
  }
}
