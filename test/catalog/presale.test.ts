import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { tiers } from './fixtures.ts';

// Sale times act, through the real server: an event moves to presale at its presale time
// (invited fans only), to on sale at its on-sale time, and a time that passed while the
// server was down takes effect when it starts again.

const ADMIN = { email: 'presale-admin@example.com', password: 'admin-password-1' };
const HOUR = 3_600_000;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('presale and on-sale times', () => {
  let t: TestServer;
  let admin: string;
  const fans: { token: string; email: string }[] = [];

  beforeAll(async () => {
    t = await startTestServer({ ONSALE_ADMIN_EMAIL: ADMIN.email, ONSALE_ADMIN_PASSWORD: ADMIN.password });
    admin = (await t.call('POST', '/api/accounts/login', { json: ADMIN })).body.token;
    for (const name of ['invited', 'uninvited']) {
      const email = `${name}@example.com`;
      const r = await t.call('POST', '/api/accounts/register', {
        json: { email, password: 'fan-password-1' },
      });
      fans.push({ token: r.body.token, email });
    }
    const venue = await t.call('POST', '/api/venues', {
      token: admin,
      json: { id: 'hall', name: 'Presale Hall', city: 'Oslo', chartTemplate: 'theatre' },
    });
    expect(venue.status, venue.text).toBe(201);
  }, 60_000);

  afterAll(() => t?.stop());

  const event = async (id: string, presaleAt: string | null, onSaleAt: string) => {
    const r = await t.call('POST', '/api/events', {
      token: admin,
      json: {
        id,
        name: `Show ${id}`,
        category: 'concert',
        venueId: 'hall',
        startsAt: at(30 * 24 * HOUR),
        status: 'scheduled',
        presaleAt,
        onSaleAt,
        priceTiers: tiers(1000),
      },
    });
    expect(r.status, r.text).toBe(201);
  };
  const status = async (id: string) => (await t.call('GET', `/api/events/${id}`, { token: admin })).body;
  const hold = (fan: { token: string }, id: string, seat: string) =>
    t.call('POST', '/api/holds', { token: fan.token, json: { eventId: id, seats: [seat] } });

  it('given a presale time passed, then the event is in presale: invited fans hold, others get PRESALE_ONLY; at the on-sale time everyone may', async () => {
    await event('early', at(-HOUR), at(HOUR));
    await expect.poll(async () => (await status('early')).status, { timeout: 5000 }).toBe('presale');
    expect((await status('early')).sale).toBe('presale');
    const refused = await hold(fans[1], 'early', '101-A-1');
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'PRESALE_ONLY']);
    // Not on the list yet: refused too.
    expect((await hold(fans[0], 'early', '101-A-1')).body.error?.code).toBe('PRESALE_ONLY');
    const list = await t.call('PUT', '/api/events/early/presale-list', {
      token: admin,
      json: { emails: [fans[0].email.toUpperCase()] },
    });
    expect([list.status, list.body.total]).toEqual([200, 1]);
    expect((await hold(fans[0], 'early', '101-A-1')).status).toBe(201);
    expect((await hold(fans[1], 'early', '101-A-2')).body.error?.code).toBe('PRESALE_ONLY');

    // The on-sale time moves to now: the clock opens the sale to everyone.
    const moved = await t.call('PUT', '/api/events/early', { token: admin, json: { onSaleAt: at(-1000) } });
    expect(moved.status, moved.text).toBe(200);
    await expect.poll(async () => (await status('early')).status, { timeout: 5000 }).toBe('on_sale');
    expect((await status('early')).sale).toBe('open');
    expect((await hold(fans[1], 'early', '101-A-2')).status).toBe(201);
  });

  it('given an on-sale time that passes while the server is down, then the sale opens when it starts again', async () => {
    await event('overnight', null, at(2500));
    expect((await status('overnight')).status).toBe('scheduled');
    expect((await hold(fans[1], 'overnight', '101-A-1')).body.error?.code).toBe('SALE_NOT_OPEN');
    const dir = t.dir;
    await t.server.close();
    await new Promise((r) => setTimeout(r, 3000));
    t = await startTestServer(
      { ONSALE_ADMIN_EMAIL: ADMIN.email, ONSALE_ADMIN_PASSWORD: ADMIN.password },
      { dir },
    );
    admin = (await t.call('POST', '/api/accounts/login', { json: ADMIN })).body.token;
    expect((await status('overnight')).status).toBe('on_sale');
    expect((await hold(fans[1], 'overnight', '101-A-1')).status).toBe(201);
  });
});
