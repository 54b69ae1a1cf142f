import type { Logger } from 'pino';
import type { Db } from '../persistence/db.ts';
import { markDelivered, markFailed, type OwedWebhook, owedWebhook, owedWebhooks } from './simulated-store.ts';
import { signStripePayload } from './stripe-events.ts';

// Delivers the simulator's owed webhooks to the server's webhook route over real HTTP, the
// way Stripe does: each attempt signed afresh (its timestamp must be within the receiver's
// tolerance), anything but a 2xx retried with exponential backoff, given up after 3 days.
// The outbox is in the database, so webhooks owed at a crash are delivered after the restart.

export interface OutboxSettings {
  /** The first retry's delay; each later one doubles it, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Stop retrying a webhook this long after it was first owed. */
  giveUpAfterMs: number;
  /** One attempt's limit. */
  attemptTimeoutMs: number;
}

export const DEFAULT_OUTBOX: OutboxSettings = {
  baseDelayMs: 1000,
  maxDelayMs: 10 * 60_000,
  giveUpAfterMs: 3 * 24 * 60 * 60_000,
  attemptTimeoutMs: 10_000,
};

/** When to try again after `attempts` failed attempts (ms since the epoch), or null: give up. */
export function nextAttempt(
  attempts: number,
  created: number,
  now: number,
  s: OutboxSettings,
): number | null {
  const delay = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return now + delay - created > s.giveUpAfterMs ? null : now + delay;
}

export class WebhookOutbox {
  /** Where to deliver: unknown until the server listens (setUrl). */
  private url: string | null = null;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly secret: string,
    private readonly log: Logger,
    private readonly settings: OutboxSettings = DEFAULT_OUTBOX,
  ) {}

  /** Starts delivering to `url`, first what was owed before (a restart). */
  async setUrl(url: string): Promise<void> {
    this.url = url;
    // What failed before a restart failed because the receiver was down or dying: try it
    // now, not when its backoff says (which may be minutes away).
    const now = Date.now();
    for (const w of await owedWebhooks(this.db)) this.schedule(w.id, Math.min(w.due, now));
  }

  /** One attempt now (joining one under way); true when the server answered 2xx. A failure schedules a retry. */
  deliver(id: string): Promise<boolean> {
    const running = this.inFlight.get(id);
    if (running) return running;
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    const attempt = this.attempt(id).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, attempt);
    return attempt;
  }

  /** Stops retrying (owed webhooks stay in the outbox for the next start) and waits for attempts under way. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async attempt(id: string): Promise<boolean> {
    if (this.closed || !this.url) return false;
    const owed = await owedWebhook(this.db, id);
    if (!owed) return false;
    let status = 0;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signStripePayload(owed.payload, this.secret),
        },
        body: owed.payload,
        signal: AbortSignal.timeout(this.settings.attemptTimeoutMs),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch (e) {
      this.log.warn({ err: e, webhook: id }, 'simulated webhook not delivered');
    }
    if (status >= 200 && status < 300) {
      await markDelivered(this.db, id);
      return true;
    }
    await this.failed(owed);
    return false;
  }

  private async failed(owed: OwedWebhook): Promise<void> {
    const due = nextAttempt(owed.attempts + 1, owed.created, Date.now(), this.settings);
    await markFailed(this.db, owed.id, due);
    if (due === null) this.log.error({ webhook: owed.id }, 'simulated webhook abandoned after retrying');
    else this.schedule(owed.id, due);
  }

  private schedule(id: string, due: number): void {
    if (this.closed || this.timers.has(id)) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(id);
        void this.deliver(id).catch((e) =>
          this.log.error({ err: e, webhook: id }, 'simulated webhook retry failed'),
        );
      },
      Math.max(0, due - Date.now()),
    );
    this.timers.set(id, timer);
  }
}
