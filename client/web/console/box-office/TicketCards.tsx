// The tickets of a box-office sale, each with its QR code (the box office owns what it
// sold), to show the customer or print (only the tickets print).
import { useEffect, useState } from 'preact/hooks';
import { type Order, order as readOrder, ticketQrSvg } from '../../../sdk/box-office.ts';
import { errorMessage, http } from '../../lib/api.ts';
import { money } from '../format.ts';

/** Tickets appear once the journal's booking is applied: poll the order until they are there. */
function useTickets(initial: Order) {
  const [o, setO] = useState(initial);
  useEffect(() => {
    setO(initial);
    if (initial.tickets.length > 0) return;
    let n = 0;
    const t = setInterval(async () => {
      n++;
      try {
        const next = await readOrder(http(), initial.id);
        if (next.tickets.length > 0 || n > 20) {
          setO(next);
          clearInterval(t);
        }
      } catch {
        if (n > 20) clearInterval(t);
      }
    }, 500);
    return () => clearInterval(t);
  }, [initial]);
  return o;
}

function Qr({ ticketId, label }: { ticketId: string; label: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ticketQrSvg(http(), ticketId).then(setSvg, (e) => setError(errorMessage(e)));
  }, [ticketId]);
  if (error) return <p class="error">QR code: {error}</p>;
  if (!svg) return <p role="status">Drawing the QR code…</p>;
  // The server's SVG (qrcode's markup) for the operator's own ticket.
  return <div class="qr" role="img" aria-label={label} dangerouslySetInnerHTML={{ __html: svg }} />;
}

export function TicketCards(props: {
  order: Order;
  eventName: string;
  /** Category names by id (the tickets carry the id). */
  categories: Record<string, string>;
}) {
  const { order, eventName, categories } = props;
  const o = useTickets(order);
  return (
    <section class="tickets" aria-labelledby="tickets-h">
      <div class="row no-print">
        <h3 id="tickets-h">Tickets of order {o.id}</h3>
        <button type="button" class="secondary" onClick={() => print()}>
          Print the tickets
        </button>
      </div>
      {o.tickets.length === 0 && <p role="status">The tickets are being issued…</p>}
      <ul class="ticket-list">
        {o.tickets.map((t) => (
          <li key={t.id} class="ticket-card" data-ticket-id={t.id}>
            <p class="ticket-event">{eventName}</p>
            <p class="ticket-seat">{t.label}</p>
            <p class="muted">
              {categories[t.category] ?? t.category} · {money(t.price, o.currency)} ·{' '}
              {o.method.replace('_', ' ')}
            </p>
            <Qr ticketId={t.id} label={`QR code of the ticket for ${t.label}`} />
            <p class="muted ticket-id">Ticket {t.id}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
