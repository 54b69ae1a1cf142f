import { enqueueMail } from '../notifications/outbox.ts';
import { eventCancelled, type OrderMail, orderConfirmed, orderRefunded } from '../notifications/templates.ts';
import type { Db } from '../persistence/db.ts';
import type { OrderRow } from './store.ts';

// The orders' mails, queued in the transaction of the change they tell of (the outbox).

function mailOf(order: OrderRow, eventName: string): OrderMail {
  return {
    orderId: order.id,
    eventName,
    name: order.name,
    email: order.email,
    currency: order.currency,
    lines: order.quote.lines.map((l) => ({
      label: l.quantity > 1 ? `${l.label} × ${l.quantity}` : l.label,
      price: l.price * l.quantity,
    })),
    total: order.total,
  };
}

export async function queuePaidMail(tx: Db, order: OrderRow, eventName: string): Promise<void> {
  const m = orderConfirmed(mailOf(order, eventName));
  await enqueueMail(tx, { kind: 'order_confirmed', dedupeKey: order.id, to: order.email, ...m });
}

export async function queueRefundMail(
  tx: Db,
  order: OrderRow,
  eventName: string,
  amount: number,
  reason: string,
  cancelled: boolean,
): Promise<void> {
  const data = { ...mailOf(order, eventName), refunded: amount, reason };
  const m = cancelled ? eventCancelled(data) : orderRefunded(data);
  await enqueueMail(tx, {
    kind: cancelled ? 'event_cancelled' : 'order_refunded',
    dedupeKey: `${order.id}:${order.refunded + amount}`,
    to: order.email,
    ...m,
  });
}
