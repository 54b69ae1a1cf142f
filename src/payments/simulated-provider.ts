import { customAlphabet } from 'nanoid';
import type { Logger } from 'pino';
import type { Db } from '../persistence/db.ts';
import { keyReused, notCaptured, paymentNotFound, paymentSettled, refundTooLarge } from './errors.ts';
import type {
  IntentRequest,
  PaymentEvent,
  PaymentIntent,
  PaymentProvider,
  RefundRequest,
  RefundResult,
} from './provider.ts';
import {
  findIntent,
  findRefund,
  type IntentRow,
  insertIntent,
  insertRefund,
  loadWebhookSecret,
  owe,
  settleIntent,
  takeRefund,
} from './simulated-store.ts';
import { intentEvent, refundEvent, verifyStripeWebhook } from './stripe-events.ts';
import { cardOutcome } from './test-cards.ts';
import { DEFAULT_OUTBOX, type OutboxSettings, WebhookOutbox } from './webhook-outbox.ts';

// A payment provider in the server itself, the default when Stripe is not configured: a fan
// pays by confirming with a test card (test-cards.ts), and the outcome reaches the server as
// a webhook in Stripe's format, signed with the library's own signer, over real HTTP to the
// server's webhook route — the path a Stripe payment takes, verify and parse included. Its
// books are tables of its own, so it keeps its word across restarts: an intent confirmed
// once stays so, refunds are idempotent by key, owed webhooks are delivered after a crash.

const id = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 24);
const nowSeconds = () => Math.floor(Date.now() / 1000);

export interface SimulatedOptions {
  /** The webhook signing secret; unset: one generated once and kept in the database. */
  secret?: string;
  log: Logger;
  outbox?: OutboxSettings;
}

export interface ConfirmOutcome {
  paymentId: string;
  status: 'succeeded' | 'failed';
  error: { code: string; message: string } | null;
  /** The webhook that announces it (deliver it with deliver()). */
  webhookId: string;
}

function intentOf(r: IntentRow): PaymentIntent {
  return {
    id: r.id,
    status: r.status,
    clientSecret: r.client_secret,
    amount: r.amount,
    currency: r.currency,
  };
}

export class SimulatedProvider implements PaymentProvider {
  readonly name = 'simulated' as const;

  private constructor(
    private readonly db: Db,
    private readonly secret: string,
    private readonly outbox: WebhookOutbox,
  ) {}

  static async open(db: Db, opts: SimulatedOptions): Promise<SimulatedProvider> {
    const secret = opts.secret ?? (await loadWebhookSecret(db));
    return new SimulatedProvider(
      db,
      secret,
      new WebhookOutbox(db, secret, opts.log, opts.outbox ?? DEFAULT_OUTBOX),
    );
  }

  /**
   * Where its webhooks go: the server's own POST /api/payments/webhook. Given as a URL after
   * the server listens, not at construction, because the port is known only then (PORT=0
   * picks one), and the provider must exist before, when the routes are registered. A URL,
   * not a callback into the server: the simulator stays a provider that talks HTTP, as
   * Stripe does. Webhooks owed from before a restart are delivered from now on.
   */
  setWebhookUrl(url: string): Promise<void> {
    return this.outbox.setUrl(url);
  }

  /** The secret its webhooks are signed with (tests sign forged and replayed ones with it). */
  get webhookSecret(): string {
    return this.secret;
  }

  async createIntent(r: IntentRequest): Promise<PaymentIntent> {
    const pid = `pi_sim_${id()}`;
    const row = await insertIntent(this.db, {
      id: pid,
      key: r.idempotencyKey,
      orderId: r.orderId,
      amount: r.amount,
      currency: r.currency,
      email: r.email,
      description: r.description,
      clientSecret: `${pid}_secret_${id()}`,
    });
    // The same key for another request is a bug in the caller, not a retry.
    if (row.order_id !== r.orderId || row.amount !== r.amount || row.currency !== r.currency)
      throw keyReused();
    return intentOf(row);
  }

  async retrieveIntent(paymentId: string): Promise<PaymentIntent> {
    const row = await findIntent(this.db, paymentId);
    if (!row) throw paymentNotFound(paymentId);
    return intentOf(row);
  }

  /**
   * The fan pays `paymentId` with `card` (what Stripe.js does against Stripe). Decided by the
   * card: paid, or declined (a declined intent may be confirmed again); PAYMENT_SETTLED once
   * paid. The hanging test card never answers (the caller's timeout ends the wait) and
   * changes nothing. The outcome's webhook is owed in the same transaction; deliver it with
   * deliver(webhookId).
   */
  async confirm(paymentId: string, card: string): Promise<ConfirmOutcome> {
    const current = await findIntent(this.db, paymentId);
    if (!current) throw paymentNotFound(paymentId);
    if (current.status === 'succeeded' || current.status === 'canceled')
      throw paymentSettled(paymentId, current.status);
    const outcome = cardOutcome(card);
    if (outcome.kind === 'hang') return new Promise<never>(() => {});
    const error = outcome.kind === 'decline' ? { code: outcome.code, message: outcome.message } : null;
    const webhookId = `evt_sim_${id()}`;
    const settled = await this.db.transaction(async (tx) => {
      const row = await settleIntent(tx, paymentId, {
        status: error ? 'failed' : 'succeeded',
        errorCode: error?.code ?? null,
        errorMessage: error?.message ?? null,
        last4: card.slice(-4),
      });
      if (!row) return null;
      await owe(
        tx,
        webhookId,
        intentEvent(
          webhookId,
          error ? 'payment_intent.payment_failed' : 'payment_intent.succeeded',
          nowSeconds(),
          {
            id: row.id,
            amount: row.amount,
            currency: row.currency,
            orderId: row.order_id,
            status: row.status,
            error,
          },
        ),
      );
      return row;
    });
    // A concurrent confirm settled it first.
    if (!settled) throw paymentSettled(paymentId, 'succeeded');
    return { paymentId, status: error ? 'failed' : 'succeeded', error, webhookId };
  }

  /** One delivery attempt of an owed webhook now; retried in the background if it fails. */
  deliver(webhookId: string): Promise<boolean> {
    return this.outbox.deliver(webhookId);
  }

  /**
   * Refunds up to what was paid (REFUND_TOO_LARGE beyond), once per key: a retry gets the
   * first refund back. Succeeds at once and owes a refund.updated webhook, delivered in the
   * background (the caller may be applying the refund meanwhile).
   */
  async refund(r: RefundRequest): Promise<RefundResult> {
    const existing = await findRefund(this.db, r.idempotencyKey);
    if (existing) {
      if (existing.payment_id !== r.paymentId || existing.amount !== r.amount) throw keyReused();
      return { id: existing.id, status: 'succeeded' };
    }
    const refundId = `re_sim_${id()}`;
    const webhookId = `evt_sim_${id()}`;
    try {
      await this.db.transaction(async (tx) => {
        const row = await takeRefund(tx, r.paymentId, r.amount);
        if (!row) {
          const p = await findIntent(tx, r.paymentId);
          if (!p) throw paymentNotFound(r.paymentId);
          if (p.status !== 'succeeded') throw notCaptured(r.paymentId);
          throw refundTooLarge(p.amount - p.refunded);
        }
        await insertRefund(tx, {
          id: refundId,
          paymentId: r.paymentId,
          key: r.idempotencyKey,
          amount: r.amount,
          reason: r.reason,
        });
        await owe(
          tx,
          webhookId,
          refundEvent(webhookId, nowSeconds(), {
            id: refundId,
            paymentId: row.id,
            orderId: row.order_id,
            amount: r.amount,
            currency: row.currency,
          }),
        );
      });
    } catch (e) {
      // The same key raced in from another request: its refund is the answer.
      const raced = await findRefund(this.db, r.idempotencyKey);
      if (raced && raced.payment_id === r.paymentId && raced.amount === r.amount)
        return { id: raced.id, status: 'succeeded' };
      throw e;
    }
    void this.outbox.deliver(webhookId).catch(() => {});
    return { id: refundId, status: 'succeeded' };
  }

  verifyWebhook(raw: Buffer, signature: string | undefined): PaymentEvent {
    return verifyStripeWebhook(raw, signature, this.secret, 'simulated');
  }

  close(): Promise<void> {
    return this.outbox.close();
  }
}
