// My orders: each order's state, bill and tickets, and how much was refunded; newest first,
// a page at a time. Arriving from checkout (?placed=id) says the order went through.
import { useEffect, useState } from 'preact/hooks';
import { type Order, searchOrders } from '../../../sdk/box-office.ts';
import { SignInPrompt } from '../../layout/SignInPrompt.tsx';
import { errorMessage, http } from '../../lib/api.ts';
import { dateTime, money } from '../../lib/format.ts';
import { Link, useLocation } from '../../lib/navigation.tsx';
import { href } from '../../lib/routes.ts';
import { useSession } from '../../lib/session.ts';

const STATUS: Record<Order['status'], string> = {
  pending_payment: 'Waiting for payment',
  paid: 'Paid',
  partially_refunded: 'Partly refunded',
  refunded: 'Refunded',
  cancelled: 'Cancelled',
  expired: 'Expired (not paid in time)',
};

const TICKET: Record<Order['tickets'][number]['status'], string> = {
  valid: 'Valid',
  refunded: 'Refunded',
  cancelled: 'Cancelled',
};

export function OrdersPage() {
  const session = useSession();
  const { query } = useLocation();
  const placed = query.get('placed');
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const load = async (after?: string) => {
    try {
      const page = await searchOrders(http(), { limit: 20, after });
      setOrders((old) => [...(after ? (old ?? []) : []), ...page.orders]);
      setNext(page.next);
      for (const id of new Set(page.orders.map((o) => o.eventId)))
        http()
          .event(id)
          .then(
            (e) => setNames((n) => ({ ...n, [id]: String(e.name) })),
            () => {},
          );
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => {
    if (session) void load();
  }, [session?.token]);

  if (!session) return <SignInPrompt title="My orders" why="Sign in to see your orders." next="/orders" />;

  const placedOrder = orders?.find((o) => o.id === placed);
  return (
    <section>
      <h1>My orders</h1>
      {placedOrder && (
        <div class="panel placed" role="status">
          <p>
            <strong>Thank you!</strong> Order {placedOrder.id} is {STATUS[placedOrder.status].toLowerCase()}.{' '}
            {placedOrder.status === 'paid' && (
              <>
                Your tickets are in <Link href="/tickets">My tickets</Link>; a confirmation was mailed to{' '}
                {placedOrder.email}.
              </>
            )}
          </p>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          Your orders could not be read: {error}
        </p>
      )}
      {orders === null && !error && <p>Reading your orders…</p>}
      {orders?.length === 0 && (
        <p>
          No orders yet. <Link href="/">Find events</Link>
        </p>
      )}
      <ul class="orders">
        {orders?.map((o) => (
          <OrderItem key={o.id} order={o} name={names[o.eventId] ?? o.eventId} current={o.id === placed} />
        ))}
      </ul>
      {next && (
        <button type="button" class="secondary" onClick={() => load(next)}>
          Show older orders
        </button>
      )}
    </section>
  );
}

function OrderItem({ order: o, name, current }: { order: Order; name: string; current: boolean }) {
  const m = (v: number) => money(v, o.currency);
  return (
    <li class={`panel order${current ? ' current' : ''}`} aria-current={current ? 'true' : undefined}>
      <div class="order-head">
        <h2>
          <Link href={href.event(o.eventId)}>{name}</Link>
        </h2>
        <span class={`badge order-${o.status}`}>{STATUS[o.status]}</span>
      </div>
      <p class="muted">
        Order {o.id} · {dateTime(o.createdAt)}
      </p>
      <table class="stackable">
        <caption class="visually-hidden">Tickets of order {o.id}</caption>
        <thead>
          <tr>
            <th scope="col">Ticket</th>
            <th scope="col">State</th>
            <th scope="col" class="num">
              Price
            </th>
          </tr>
        </thead>
        <tbody>
          {o.lines.map((l) => {
            const t = o.tickets.find((x) => x.item === l.item);
            return (
              <tr key={l.item}>
                <td data-label="Ticket">
                  {l.label} <span class="muted">({l.category})</span>
                  {l.quantity > 1 && ` × ${l.quantity}`}
                </td>
                <td data-label="State">{t ? TICKET[t.status] : o.status === 'paid' ? 'Issuing' : '—'}</td>
                <td data-label="Price" class="num">
                  {m(l.price * l.quantity)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="order-total">
        {o.discount > 0 && <span>Discount −{m(o.discount)} · </span>}
        Fees {m(o.fees)} · Tax {m(o.tax)} · <strong>Total {m(o.total)}</strong>
        {o.refunded > 0 && <span class="refunded"> · Refunded {m(o.refunded)}</span>}
      </p>
      {o.refunded > 0 && (
        <p class="hint">
          Refunds go back to the card you paid with; your bank may take a few days to show them.
        </p>
      )}
    </li>
  );
}
