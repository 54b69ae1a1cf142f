import type { Order } from '../../../sdk/box-office.ts';
import { money } from '../../lib/format.ts';

/** The order's bill as the server priced it: each ticket, then discount, fees, tax and total. */
export function Breakdown({ order }: { order: Order }) {
  const m = (v: number) => money(v, order.currency);
  return (
    <table class="breakdown">
      <caption class="visually-hidden">Price breakdown</caption>
      <thead>
        <tr>
          <th scope="col">Ticket</th>
          <th scope="col" class="num">
            Price
          </th>
        </tr>
      </thead>
      <tbody>
        {order.lines.map((l) => (
          <tr key={l.item}>
            <td>
              {l.label} <span class="muted">({l.category})</span>
              {l.quantity > 1 && ` × ${l.quantity}`}
            </td>
            <td class="num">{m(l.price * l.quantity)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Tickets</th>
          <td class="num">{m(order.subtotal)}</td>
        </tr>
        {order.discount > 0 && (
          <tr>
            <th scope="row">Discount{order.code ? ` (${order.code})` : ''}</th>
            <td class="num">−{m(order.discount)}</td>
          </tr>
        )}
        <tr>
          <th scope="row">Fees</th>
          <td class="num">{m(order.fees)}</td>
        </tr>
        <tr>
          <th scope="row">Tax</th>
          <td class="num">{m(order.tax)}</td>
        </tr>
        <tr class="total">
          <th scope="row">Total</th>
          <td class="num">{m(order.total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
