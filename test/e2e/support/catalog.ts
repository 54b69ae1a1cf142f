import { order as getOrder } from '../../../client/sdk/box-office.ts';
import { checkout, paySimulated } from '../../../client/sdk/checkout.ts';
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

/** Buys `count` seats as the fan does, through the API: hold the best, check out, pay 4242, booked. */
export async function buySeats(fan: OnsaleHttp, eventId: string, count: number): Promise<string> {
  await fan.hold({ eventId, best: { count } });
  const { order, payment } = await checkout(
    fan,
    { eventId },
    `buy-${eventId}-${Date.now()}-${Math.random()}`,
  );
  await paySimulated(fan, payment!.paymentId!, '4242424242424242');
  for (let i = 0; i < 100; i++) {
    const o = await getOrder(fan, order.id);
    if (o.status === 'paid' && o.tickets.length === o.lines.length) return order.id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`order ${order.id} was not paid`);
}
