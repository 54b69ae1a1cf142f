import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { DEMO_EVENT_ID } from '../../src/demo.ts';
import { type Server, startServer } from '../../src/server.ts';

// The demo catalog: loaded into an empty database on first start (ONSALE_DEMO=1, the
// default), never again, and with the demo stadium among its few hundred events.

const dir = mkdtempSync(join(tmpdir(), 'onsale-catalog-demo-'));

async function boot(demo: '0' | '1'): Promise<{ server: Server; url: string }> {
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: '',
    ONSALE_DB_SCHEMA: '',
    PORT: '0',
    ONSALE_DATA_DIR: dir,
    ONSALE_DEMO: demo,
    LOG_LEVEL: 'silent',
  });
  const server = await startServer(config, pino({ level: 'silent' }));
  return { server, url: `http://127.0.0.1:${server.port}` };
}

// biome-ignore lint/suspicious/noExplicitAny: reply bodies
const get = async (url: string): Promise<any> => (await fetch(url)).json();

describe('the demo catalog', () => {
  let server: Server | undefined;

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given the first start of an empty database, then a few hundred events across cities and categories', async () => {
    let url: string;
    ({ server, url } = await boot('1'));
    const all = await get(`${url}/api/events/search?pageSize=5`);
    expect(all.total).toBeGreaterThan(250);
    expect(all.facets.city.length).toBe(8);
    expect(all.facets.category.length).toBeGreaterThanOrEqual(6);
    const stadium = await get(`${url}/api/events/${DEMO_EVENT_ID}`);
    expect(stadium).toMatchObject({
      id: DEMO_EVENT_ID,
      status: 'on_sale',
      sale: 'open',
      venue: { name: 'National Stadium', city: 'London' },
      seats: { available: 81_450 },
    });
    expect(stadium.areas).toHaveLength(2);
    // Events not on sale have their actor's sale switched to match.
    const scheduled = (await server.catalog.store.listEvents({ status: 'scheduled' }, 1, 1)).items[0];
    expect((await get(`${url}/api/events/${scheduled.id}`)).sale).toBe('closed');
    // Actors start on first use or when their sale is due: the two events asked about run,
    // and those the sale clock moved at start-up; the other ~300 do not.
    const running = server.directory.ids();
    expect(running).toEqual(expect.arrayContaining([DEMO_EVENT_ID, scheduled.id]));
    expect(running.length).toBeLessThan(30);
    expect((await server.events.get(DEMO_EVENT_ID))?.layout.seatCount).toBe(81_450);
  }, 120_000);

  it('given a restart (even with ONSALE_DEMO=0), then the catalog is the same and nothing is loaded twice', async () => {
    const before = (await server!.catalog.store.listEvents({}, 1, 1)).total;
    await server!.close();
    let url: string;
    ({ server, url } = await boot('0'));
    expect((await server.catalog.store.listEvents({}, 1, 1)).total).toBe(before);
    expect((await get(`${url}/api/events/${DEMO_EVENT_ID}/seats`)).eventId).toBe(DEMO_EVENT_ID);
  }, 120_000);
});
