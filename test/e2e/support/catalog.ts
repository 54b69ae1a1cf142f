import { OnsaleHttp } from '../../../client/sdk/index.ts';
import { tiers } from '../../catalog/fixtures.ts';

// Events for the browser tests, made by an operator through the API: a venue on the
// generator's theatre chart and an event on sale there with a price for every category.

export async function openEvent(
  operator: OnsaleHttp,
  id: string,
  opts: { name?: string; city?: string; category?: string; startsInDays?: number } = {},
): Promise<void> {
  const venueId = `${id}-hall`;
  await operator.request('POST', '/api/venues', {
    id: venueId,
    name: `Hall of ${id}`,
    city: opts.city ?? 'Oslo',
    chartTemplate: 'theatre',
  });
  await operator.request('POST', '/api/events', {
    id,
    name: opts.name ?? `Show ${id}`,
    category: opts.category ?? 'concert',
    venueId,
    startsAt: new Date(Date.now() + (opts.startsInDays ?? 30) * 86_400_000).toISOString(),
    status: 'on_sale',
    priceTiers: tiers(2500),
  });
}

export { OnsaleHttp };
