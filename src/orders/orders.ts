import { randomUUID } from 'node:crypto';
import type { CommitStream } from '../actors/commit-stream.ts';
import { AppError, quoted } from '../errors.ts';
import type { PaymentEvent } from '../payments/provider.ts';
import type { Db } from '../persistence/db.ts';
import type { User } from '../user.ts';
import type { BoxOfficeRequest } from './box-office.ts';
import { runCancellation, startCancellation, unfinishedCancellations } from './cancel-event.ts';
import { type CheckoutRequest, type CheckoutResult, digestOf, orderResult, placeOrder } from './checkout.ts';
import type { OrdersContext } from './context.ts';
import { keyRequired, orderNotFound } from './errors.ts';
import { applyPayment, type RecordWebhook } from './payment-events.ts';
import { OrdersProjection } from './projection.ts';
import { carryOut, pendingRefunds, type RefundInput, type RefundView, refund, refundsOf } from './refunds.ts';
import { settle } from './settle.ts';
import { findOrder, findOrderView, ORDER_COLUMNS, type OrderRow, type OrderView } from './store.ts';

// The orders capability: checkout, payment, booking, refunds, the box office and the event's
// cancellation. Requests change orders through here; the journal changes them through the
// projection; the reconciler finishes what a crash or a provider outage left half done.

export interface OrdersHooks {
  /** Mail, in the transaction of the change it tells of. */
  orderPaid(tx: Db, order: OrderRow, eventName: string): Promise<void>;
  orderRefunded(tx: Db, order: OrderRow, eventName: string, amount: number, reason: string): Promise<void>;
  /** Closes an event's sale (the catalog's status, 'cancelled'). */
  closeSale(eventId: string): Promise<void>;
  /** Is there such an event (drafts included)? */
  eventExists(eventId: string): Promise<boolean>;
  recordWebhook: RecordWebhook;
}

const RECONCILE_MS = 5_000;
/** How the refunds of a cancelled event's orders begin their reason (their mail says so). */
export const CANCELLED = 'event cancelled';

export class Orders {
  readonly projection: OrdersProjection;
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  /** Orders being settled in this process: the reconciler leaves them alone. */
  private settling = new Set<string>();

  constructor(
    private readonly ctx: OrdersContext,
    private readonly hooks: OrdersHooks,
    private readonly opts: { overdueSeconds: number } = { overdueSeconds: 60 },
  ) {
    this.projection = new OrdersProjection(ctx, {
      paid: (tx, order, eventName) => hooks.orderPaid(tx, order, eventName),
    });
  }

  start(stream: CommitStream): void {
    stream.follow(this.projection);
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.timer.unref();
    void this.reconcile();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.reconciling;
  }

  async checkout(user: User, req: CheckoutRequest, key: string | undefined): Promise<CheckoutResult> {
    if (!key) throw keyRequired();
    const { row, created } = await placeOrder(this.ctx, {
      user,
      eventId: req.eventId,
      holdIds: req.holdIds,
      listingId: req.listingId,
      code: req.code,
      email: req.email ?? user.email,
      name: req.name,
      channel: 'online',
      method: 'card',
      key,
      digest: digestOf(req),
    });
    if (created && row.method === 'free') await this.paidWithoutProvider(row);
    return orderResult(this.ctx, row, created);
  }

  /**
   * A sale at the window on seats the operator holds: paid in cash or by card on the spot
   * (recorded, no provider call), or complimentary (no charge). Booked at once.
   */
  async boxOffice(user: User, req: BoxOfficeRequest, key: string | undefined): Promise<CheckoutResult> {
    const { row, created } = await placeOrder(this.ctx, {
      user,
      eventId: req.eventId,
      holdIds: req.holdIds,
      email: req.email,
      name: req.name,
      channel: 'box_office',
      method: req.method,
      comp: req.method === 'comp',
      key: key ?? `box-office:${randomUUID()}`,
      digest: digestOf(req),
    });
    if (created) await this.paidWithoutProvider(row);
    return orderResult(this.ctx, (await findOrder(this.ctx.db, row.id))!, created);
  }

  /** A free order, or one paid at the box office: no provider, booked at once. */
  async paidWithoutProvider(row: OrderRow): Promise<void> {
    await this.ctx.db.query(
      `UPDATE orders SET payment_status = 'succeeded', updated_at = now() WHERE id = $1 AND payment_status IS NULL`,
      [row.id],
    );
    row.payment_status = 'succeeded';
    await this.settleOrder(row);
  }

  /** The provider's verified webhook (the payments capability's sink). */
  async paymentEvent(e: PaymentEvent): Promise<void> {
    const order = await applyPayment(this.ctx, this.hooks.recordWebhook, e);
    if (order) await this.settleOrder(order);
  }

  private async settleOrder(seen: OrderRow): Promise<void> {
    if (this.settling.has(seen.id)) return;
    this.settling.add(seen.id);
    try {
      // As it is now, not as it was read: a late order refunded meanwhile must not be
      // booked again (the actor does not remember refusals under their keys).
      const order = await findOrder(this.ctx.db, seen.id);
      if (order?.payment_status !== 'succeeded') return;
      if (order.status !== 'pending_payment' && order.status !== 'expired') return;
      const outcome = await settle(this.ctx, order);
      if (outcome === 'refund')
        await this.refund(
          order.id,
          { release: 'sale', reason: 'paid after the seats were gone' },
          `late:${order.id}`,
        );
    } finally {
      this.settling.delete(seen.id);
    }
  }

  /** The refund recorded under `key` (`created`: by this call, not an earlier one). */
  async refund(
    orderId: string,
    input: RefundInput,
    key: string,
  ): Promise<{ refund: RefundView; created: boolean }> {
    const r = await refund(this.ctx, { refunded: this.hooks.orderRefunded }, orderId, input, key);
    this.ctx.mailQueued();
    return r;
  }

  refunds(orderId: string): Promise<RefundView[]> {
    return refundsOf(this.ctx.db, orderId);
  }

  async cancelEvent(eventId: string, reason: string): Promise<{ refunded: number }> {
    if (!(await this.hooks.eventExists(eventId)))
      throw new AppError('EVENT_NOT_FOUND', `no event ${quoted(eventId)}`);
    await startCancellation(this.ctx, eventId, reason);
    return { refunded: await runCancellation(this.ctx, this.cancelSteps(), eventId) };
  }

  private cancelSteps() {
    return {
      closeSale: (eventId: string) => this.hooks.closeSale(eventId),
      refundWhole: async (orderId: string, key: string, reason: string) => {
        await this.refund(orderId, { release: 'sale', reason: `${CANCELLED}: ${reason}` }, key);
      },
    };
  }

  /** One order, if `user` may see it (its buyer, or an operator). */
  async get(orderId: string, user: User | null, operator: boolean): Promise<OrderView> {
    const found = await findOrderView(this.ctx.db, orderId);
    if (!found || (!operator && found.row.fan_id !== user?.id)) throw orderNotFound(orderId);
    return found.view;
  }

  /**
   * Finishes what was left half done: paid orders not yet booked (a crash between the webhook
   * and the booking), refunds not yet carried out, event cancellations under way.
   */
  reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce()
      .catch((error) => this.ctx.log.error({ err: error }, 'orders: reconciling failed; trying again later'))
      .finally(() => {
        this.reconciling = null;
      });
    return this.reconciling;
  }

  /**
   * Asks the provider about unpaid orders whose payment is overdue: a webhook comes at least
   * once, but may come late, or (a receiver killed at the wrong moment, a simulator's backoff)
   * not before the holds lapse. A payment the provider says succeeded is applied as its
   * webhook would be (the real one, when it comes, changes nothing).
   */
  private async chaseOverdue(): Promise<void> {
    const { rows } = await this.ctx.db.query<{ payment_id: string }>(
      `SELECT payment_id FROM orders WHERE status IN ('pending_payment', 'expired') AND payment_id IS NOT NULL
         AND payment_status IS DISTINCT FROM 'succeeded' AND method = 'card'
         AND updated_at < now() - make_interval(secs => $1) AND created_at > now() - interval '1 day'
       ORDER BY updated_at LIMIT 50`,
      [this.opts.overdueSeconds],
    );
    for (const { payment_id } of rows) {
      const intent = await this.ctx.payments.retrieveIntent(payment_id);
      if (intent.status === 'succeeded')
        await this.paymentEvent({
          id: `retrieved:${payment_id}`,
          provider: this.ctx.payments.name as PaymentEvent['provider'],
          type: 'payment_succeeded',
          paymentId: payment_id,
          orderId: null,
          refundId: null,
          amount: intent.amount,
          currency: intent.currency,
          error: null,
          created: Math.floor(Date.now() / 1000),
        });
      // Asked: not again before another overdueSeconds.
      else
        await this.ctx.db.query('UPDATE orders SET updated_at = now() WHERE payment_id = $1', [payment_id]);
    }
  }

  private async reconcileOnce(): Promise<void> {
    const { rows } = await this.ctx.db.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE payment_status = 'succeeded'
         AND status IN ('pending_payment', 'expired') AND updated_at < now() - interval '2 seconds'
       ORDER BY updated_at LIMIT 100`,
    );
    for (const o of rows) await this.settleOrder(o);
    // Orders of a resale listing hold no seats: they expire when their reservation does.
    await this.ctx.db.query(
      `UPDATE orders SET status = 'expired', updated_at = now()
        WHERE status = 'pending_payment' AND cardinality(hold_ids) = 0 AND expires_at < now()
          AND payment_status IS DISTINCT FROM 'succeeded'`,
    );
    await this.chaseOverdue();
    for (const r of await pendingRefunds(this.ctx.db)) await carryOut(this.ctx, r);
    for (const eventId of await unfinishedCancellations(this.ctx))
      await runCancellation(this.ctx, this.cancelSteps(), eventId);
  }
}
