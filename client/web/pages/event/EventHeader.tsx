import type { EventDetail } from '../../../sdk/event-detail.ts';
import { formatPrice } from '../../seat-map/palette.ts';

// The event's title, venue, date and sale, and its price list (dearest first).

const SALE: Record<string, string> = {
  open: 'On sale',
  presale: 'Presale',
  paused: 'Sale paused',
  closed: 'Sale closed',
};

export function EventHeader({ event, currency }: { event: EventDetail; currency: string }) {
  const when = new Date(event.startsAt);
  return (
    <header class="event-header">
      <h1>{event.name}</h1>
      <p class="event-meta">
        <span>
          {event.venue.name}, {event.venue.city}
        </span>
        <time dateTime={event.startsAt}>
          {when.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' })}
        </time>
        {event.sale && <span class="badge">{SALE[event.sale] ?? event.sale}</span>}
      </p>
      {event.performers.length > 0 && <p class="muted">{event.performers.map((p) => p.name).join(', ')}</p>}
      <h2 class="visually-hidden">Prices</h2>
      <ul class="price-list" aria-label="Prices">
        {event.priceTiers.map((t) => (
          <li key={t.category}>
            {t.name} <strong>{formatPrice(t.price, currency)}</strong>
          </li>
        ))}
        {event.priceTiers.length === 0 && <li>No prices yet: this event is not on sale.</li>}
      </ul>
    </header>
  );
}
