// Finding an event's orders by the buyer's email, a seat or the order's id, and refunding a
// whole order or some of its tickets (the seats go back on sale or stay blocked).
import { useState } from 'preact/hooks';
import { type Order, order as readOrder, refund, refunds, searchOrders } from '../../../sdk/box-office.ts';
import { http } from '../../lib/api.ts';
import { money, when } from '../format.ts';
import { ErrorNote, Field, Notice, useAction, useLoad } from '../ui.tsx';

export function OrdersPanel({ eventId }: { eventId: string }) {
  const [found, setFound] = useState<Order[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const search = useAction();
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const email = String(f.get('email') ?? '').trim();
    const seat = String(f.get('seat') ?? '').trim();
    const id = String(f.get('order') ?? '').trim();
    search.run(async () => {
      if (!email && !seat && !id) throw new Error('Give an email, a seat or an order id.');
      const r = await searchOrders(http(), { eventId, email, seat, order: id, limit: 50 });
      setFound(r.orders);
      setOpen(r.orders.length === 1 ? r.orders[0].id : null);
      return r.orders.length === 0 ? 'No order found.' : `${r.orders.length} order(s) found.`;
    });
  };
  return (
    <section class="panel" aria-labelledby="orders-h">
      <h2 id="orders-h">Find an order</h2>
      <form class="row" onSubmit={submit}>
        <Field id="find-email" label="Buyer email">
          <input id="find-email" name="email" type="email" />
        </Field>
        <Field id="find-seat" label="Seat id">
          <input id="find-seat" name="seat" />
        </Field>
        <Field id="find-order" label="Order id">
          <input id="find-order" name="order" />
        </Field>
        <button type="submit" disabled={search.busy}>
          Find
        </button>
      </form>
      <ErrorNote error={search.error} />
      <Notice text={search.done} />
      {found && found.length > 0 && (
        <table class="stackable">
          <caption class="visually-hidden">Orders found</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Buyer</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Total
              </th>
              <th scope="col">Placed</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {found.map((o) => (
              <tr key={o.id}>
                <td data-label="Order">
                  <code>{o.id}</code>
                </td>
                <td data-label="Buyer">{o.email}</td>
                <td data-label="Status">{o.status.replace('_', ' ')}</td>
                <td data-label="Total" class="num">
                  {money(o.total, o.currency)}
                </td>
                <td data-label="Placed">{when(o.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    aria-expanded={open === o.id}
                    onClick={() => setOpen(open === o.id ? null : o.id)}
                  >
                    {open === o.id ? 'Close' : 'Open'}
                    <span class="visually-hidden"> order {o.id}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <OrderDetail key={open} orderId={open} />}
    </section>
  );
}

function OrderDetail({ orderId }: { orderId: string }) {
  const o = useLoad(() => readOrder(http(), orderId), [orderId]);
  const past = useLoad(() => refunds(http(), orderId), [orderId]);
  const [picked, setPicked] = useState<string[]>([]);
  const [release, setRelease] = useState<'sale' | 'blocked'>('sale');
  const [reason, setReason] = useState('');
  const action = useAction();
  if (o.error) return <ErrorNote error={o.error} />;
  if (!o.data) return <p role="status">Loading the order…</p>;
  const order = o.data;
  const valid = order.tickets.filter((t) => t.status === 'valid');
  const doRefund = (e: SubmitEvent) => {
    e.preventDefault();
    const what = picked.length > 0 ? `${picked.length} ticket(s)` : 'the whole order';
    if (!confirm(`Refund ${what} of ${order.email}?`)) return;
    action.run(async () => {
      const r = await refund(http(), order.id, {
        tickets: picked.length > 0 ? picked : undefined,
        release,
        reason: reason.trim() || undefined,
      });
      setPicked([]);
      o.reload();
      past.reload();
      return `Refunded ${money(r.amount, order.currency)} (${r.status}).`;
    });
  };
  return (
    <section class="order-detail" aria-labelledby={`order-${order.id}`}>
      <h3 id={`order-${order.id}`}>
        Order <code>{order.id}</code>: {order.status.replace('_', ' ')}
      </h3>
      <p>
        {order.name ? `${order.name}, ` : ''}
        {order.email} · {order.channel.replace('_', ' ')} · {order.method.replace('_', ' ')} · paid{' '}
        {money(order.total, order.currency)}
        {order.refunded > 0 && `, refunded ${money(order.refunded, order.currency)}`}
      </p>
      <form class="stack" onSubmit={doRefund}>
        <fieldset>
          <legend>Tickets (tick some to refund only those)</legend>
          <ul class="plain">
            {order.tickets.map((t) => (
              <li key={t.id}>
                <input
                  type="checkbox"
                  id={`rf-${t.id}`}
                  disabled={t.status !== 'valid'}
                  checked={picked.includes(t.id)}
                  onChange={(e) =>
                    setPicked(e.currentTarget.checked ? [...picked, t.id] : picked.filter((x) => x !== t.id))
                  }
                />{' '}
                <label for={`rf-${t.id}`}>
                  {t.label} ({t.category}, {money(t.price, order.currency)}) · {t.status}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <div class="row">
          <Field id={`rel-${order.id}`} label="The seats then">
            <select
              id={`rel-${order.id}`}
              value={release}
              onChange={(e) => setRelease(e.currentTarget.value as 'sale' | 'blocked')}
            >
              <option value="sale">go back on sale</option>
              <option value="blocked">stay blocked</option>
            </select>
          </Field>
          <Field id={`reason-${order.id}`} label="Reason (optional)">
            <input
              id={`reason-${order.id}`}
              maxLength={500}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </Field>
        </div>
        <ErrorNote error={action.error} />
        <Notice text={action.done} />
        <button type="submit" class="danger" disabled={action.busy || valid.length === 0}>
          {picked.length > 0 ? `Refund ${picked.length} ticket(s)` : 'Refund the whole order'}
        </button>
      </form>
      {past.data && past.data.length > 0 && (
        <>
          <h4>Refunds</h4>
          <ul>
            {past.data.map((r) => (
              <li key={r.id}>
                {when(r.createdAt)}: {money(r.amount, order.currency)}, {r.tickets.length} ticket(s),{' '}
                {r.status}
                {r.reason && ` (${r.reason})`}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
