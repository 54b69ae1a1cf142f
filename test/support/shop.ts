import { type Chart, compileChart, type Layout } from '../../src/domain/chart.ts';
import { tiers } from '../catalog/fixtures.ts';
import { type RequestOptions, type Res, request } from './http.ts';

// A shop's client over HTTP, for the suites that buy tickets the way fans do (the race of
// checkouts, the crash of checkouts): fans registered in bulk, an on-sale event on the
// theatre chart, hold → checkout (with its Idempotency-Key) → pay with the simulated
// provider, the order and the seat map read back, and polls with a timeout.

export const OK_CARD = '4242424242424242';
export const FAN_PASSWORD = 'fan-password-1';

export interface Fan {
  id: string;
  email: string;
  token: string;
}

export interface ShopEvent {
  id: string;
  layout: Layout;
}

export interface Ticket {
  id: string;
  item: string;
  status: 'valid' | 'refunded' | 'cancelled';
}

export interface OrderSeen {
  id: string;
  status: string;
  total: number;
  refunded: number;
  lines: { item: string }[];
  holdIds: string[];
  payment: { id: string | null; status: string | null };
  tickets: Ticket[];
}

export class Shop {
  constructor(readonly url: string) {}

  call(method: string, path: string, opts?: RequestOptions): Promise<Res> {
    return request(this.url, method, path, opts);
  }

  async login(email: string, password: string): Promise<string> {
    const r = await this.call('POST', '/api/accounts/login', { json: { email, password } });
    if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
    return r.body.token as string;
  }

  /** `n` fan accounts, registered concurrently (scrypt: seconds for hundreds). */
  async registerFans(prefix: string, n: number): Promise<Fan[]> {
    return Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const email = `${prefix}-${i}@example.com`;
        const r = await this.call('POST', '/api/accounts/register', {
          json: { email, password: FAN_PASSWORD },
        });
        if (r.status !== 201) throw new Error(`register ${email}: ${r.status} ${r.text}`);
        return { id: r.body.user.id as string, email, token: r.body.token as string };
      }),
    );
  }

  /**
   * A venue on the generator's theatre chart and an on-sale event there with a price for
   * every category; the layout compiled from the chart the server serves for the event.
   */
  async openEvent(admin: string, id: string, venueId = `${id}-hall`): Promise<ShopEvent> {
    const venue = await this.call('POST', '/api/venues', {
      token: admin,
      json: { id: venueId, name: `Hall of ${id}`, city: 'Oslo', chartTemplate: 'theatre' },
    });
    if (venue.status !== 201) throw new Error(`venue: ${venue.status} ${venue.text}`);
    const ev = await this.call('POST', '/api/events', {
      token: admin,
      json: {
        id,
        name: `Show ${id}`,
        category: 'concert',
        venueId,
        startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        status: 'on_sale',
        priceTiers: tiers(1000),
      },
    });
    if (ev.status !== 201) throw new Error(`event: ${ev.status} ${ev.text}`);
    return { id, layout: await this.layout(id) };
  }

  /** The event's layout, compiled from its chart as served (seat numbers index its seats). */
  async layout(eventId: string): Promise<Layout> {
    const r = await this.call('GET', `/api/events/${eventId}/chart`);
    if (r.status !== 200) throw new Error(`chart: ${r.status} ${r.text}`);
    return compileChart(r.body.chart as Chart);
  }

  hold(token: string, eventId: string, seats: string[]): Promise<Res> {
    return this.call('POST', '/api/holds', { token, json: { eventId, seats } });
  }

  release(token: string, holdId: string): Promise<Res> {
    return this.call('DELETE', `/api/holds/${encodeURIComponent(holdId)}`, { token });
  }

  holds(token: string): Promise<Res> {
    return this.call('GET', '/api/holds', { token });
  }

  checkout(token: string, eventId: string, holdIds: string[], key: string): Promise<Res> {
    return this.call('POST', '/api/checkout', {
      token,
      json: { eventId, holdIds },
      headers: { 'idempotency-key': key },
    });
  }

  confirm(token: string, paymentId: string, card = OK_CARD): Promise<Res> {
    return this.call('POST', `/api/payments/simulated/${encodeURIComponent(paymentId)}/confirm`, {
      token,
      json: { card },
    });
  }

  async order(token: string, id: string): Promise<OrderSeen> {
    const r = await this.call('GET', `/api/orders/${encodeURIComponent(id)}`, { token });
    if (r.status !== 200) throw new Error(`order ${id}: ${r.status} ${r.text}`);
    return r.body.order as OrderSeen;
  }

  /** Every seat's status byte, by seat number (src/domain/seat-status.ts). */
  async seatStatuses(eventId: string): Promise<Uint8Array> {
    const r = await this.call('GET', `/api/events/${eventId}/seats`);
    if (r.status !== 200) throw new Error(`seats: ${r.status} ${r.text}`);
    return new Uint8Array(Buffer.from(r.body.status as string, 'base64'));
  }

  async sales(admin: string, eventId: string): Promise<{ orders: number; tickets: number; revenue: number }> {
    const r = await this.call('GET', `/api/events/${eventId}/sales`, { token: admin });
    if (r.status !== 200) throw new Error(`sales: ${r.status} ${r.text}`);
    return r.body;
  }
}

/** `n` seats of the layout with no special flag (accessible, companion, restricted view), from `from` on. */
export function ordinarySeats(layout: Layout, n: number, from = 0): string[] {
  const out: string[] = [];
  for (let s = from; s < layout.seatCount && out.length < n; s++)
    if (layout.seatFlags[s] === 0) out.push(layout.seatIds[s]);
  if (out.length < n) throw new Error(`only ${out.length} ordinary seats from ${from}`);
  return out;
}

/**
 * Reads until `done` holds, every `intervalMs`, for at most `timeoutMs`; the last value read
 * then. On a timeout, throws with what `describe` says of the last value.
 */
export async function until<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  opts: { timeoutMs: number; intervalMs?: number; what: string; describe?: (v: T) => string },
): Promise<T> {
  const end = Date.now() + opts.timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end)
      throw new Error(
        `timed out after ${opts.timeoutMs} ms waiting for ${opts.what}: ${opts.describe ? opts.describe(v) : JSON.stringify(v)}`,
      );
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/** Runs `f` over `items` with at most `width` at a time; the results in order. */
export async function inBatches<T, R>(
  items: T[],
  width: number,
  f: (x: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i], i);
      }
    }),
  );
  return out;
}

/** Valid tickets per item over the given orders. */
export function validByItem(orders: OrderSeen[]): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const o of orders)
    for (const t of o.tickets) {
      if (t.status !== 'valid') continue;
      const list = by.get(t.item) ?? [];
      list.push(o.id);
      by.set(t.item, list);
    }
  return by;
}
