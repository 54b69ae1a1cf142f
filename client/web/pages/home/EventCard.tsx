import type { SearchHit } from '../../../sdk/catalog.ts';
import { dateTime, money } from '../../lib/format.ts';
import { Link } from '../../lib/navigation.tsx';
import { href } from '../../lib/routes.ts';

const STATUS: Record<string, string> = {
  scheduled: 'Coming soon',
  presale: 'Presale',
  on_sale: 'On sale',
  paused: 'Sale paused',
  sold_out: 'Sold out',
};

function priceRange(hit: SearchHit): string {
  if (hit.minPrice === null) return 'Prices to be announced';
  if (hit.maxPrice === null || hit.maxPrice === hit.minPrice) return money(hit.minPrice);
  return `${money(hit.minPrice)} – ${money(hit.maxPrice)}`;
}

export function EventCard({ hit }: { hit: SearchHit }) {
  return (
    <li class="card">
      <h3>
        <Link href={href.event(hit.id)}>{hit.name}</Link>
      </h3>
      <span>
        <time dateTime={hit.startsAt}>{dateTime(hit.startsAt)}</time>
      </span>
      <span>
        {hit.venue.name}, {hit.venue.city}
      </span>
      {hit.performers.length > 0 && <span class="muted">{hit.performers.map((p) => p.name).join(', ')}</span>}
      <span>{priceRange(hit)}</span>
      <span>
        <span class="badge">{hit.category}</span>{' '}
        <span class={`badge status-${hit.status}`}>{STATUS[hit.status] ?? hit.status}</span>
      </span>
    </li>
  );
}
