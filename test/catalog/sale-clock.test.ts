import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkChart } from '../../src/catalog/chart-format.ts';
import { PresaleLists } from '../../src/catalog/presale.ts';
import { dueMoves, nextMoveAt, SaleClock } from '../../src/catalog/sale-clock.ts';
import { eventCreateSchema, venueCreateSchema } from '../../src/catalog/schema.ts';
import { CatalogStore } from '../../src/catalog/store.ts';
import { generateChart } from '../../src/domain/chart-generator.ts';
import type { Db } from '../../src/persistence/db.ts';
import { databases } from './databases.ts';
import { tiers } from './fixtures.ts';

const log = pino({ level: 'silent' });
const HOUR = 3_600_000;
const NOW = new Date('2027-03-01T12:00:00Z');
const at = (hours: number) => new Date(NOW.getTime() + hours * HOUR).toISOString();

for (const t of databases('saleclock')) {
  describe.skipIf(t.skip)(`sale times on ${t.name}`, () => {
    let db: Db;
    let store: CatalogStore;
    beforeAll(async () => {
      db = await t.open();
      store = new CatalogStore(db);
      await store.createVenue(
        venueCreateSchema.parse({ id: 'hall', name: 'Hall', city: 'Oslo' }),
        checkChart(generateChart('theatre')),
      );
      const event = (id: string, status: string, presaleAt: string | null, onSaleAt: string | null) =>
        store.createEvent(
          eventCreateSchema.parse({
            id,
            name: id,
            category: 'concert',
            venueId: 'hall',
            startsAt: at(24 * 30),
            status,
            presaleAt,
            onSaleAt,
            priceTiers: tiers(1000),
          }),
        );
      await event('presale-now', 'scheduled', at(-1), at(5)); // presale began an hour ago
      await event('onsale-now', 'scheduled', at(-3), at(-2)); // both passed: straight on sale
      await event('presale-ended', 'scheduled', at(-5), at(-1)); // in presale, its on-sale time passed
      await store.setStatus('presale-ended', 'presale');
      await event('later', 'scheduled', at(2), at(3));
      await event('paused', 'on_sale', null, at(-10)); // an operator paused it: left alone
      await store.setStatus('paused', 'paused');
      await event('draft', 'draft', null, at(-10)); // not published: left alone
      await event('no-times', 'scheduled', null, null);
    });
    afterAll(() => t.dispose());

    it('given events whose times have come, then each moves once to the phase its times say; the next wake is the nearest time ahead', async () => {
      // Earliest time first.
      expect(await dueMoves(db, NOW)).toEqual([
        { id: 'presale-ended', to: 'on_sale' },
        { id: 'onsale-now', to: 'on_sale' },
        { id: 'presale-now', to: 'presale' },
      ]);
      expect((await nextMoveAt(db, NOW))?.toISOString()).toBe(at(2));
      const moved: string[] = [];
      const clock = new SaleClock(
        db,
        async (id, to) => {
          moved.push(`${id}→${to}`);
          await store.setStatus(id, to);
        },
        log,
        () => NOW,
      );
      await clock.tick();
      expect(moved).toEqual(['presale-ended→on_sale', 'onsale-now→on_sale', 'presale-now→presale']);
      expect((await store.getEvent('presale-now')).status).toBe('presale');
      expect((await store.getEvent('paused')).status).toBe('paused');
      expect((await store.getEvent('draft')).status).toBe('draft');
      // Nothing more is due at the same instant.
      expect(await dueMoves(db, NOW)).toEqual([]);
      // Two hours on: "later" opens its presale, then its sale an hour after.
      expect(await dueMoves(db, new Date(NOW.getTime() + 2 * HOUR))).toEqual([
        { id: 'later', to: 'presale' },
      ]);
      expect(await dueMoves(db, new Date(NOW.getTime() + 5 * HOUR))).toEqual([
        { id: 'presale-now', to: 'on_sale' },
        { id: 'later', to: 'on_sale' },
      ]);
      await clock.close();
    });

    it('given a presale list, then invited emails (any case) are allowed, others not, and replacing the list takes effect at once', async () => {
      const lists = new PresaleLists(db);
      expect(await lists.replace('later', ['Ann@Example.com', 'bob@example.com', 'ann@example.com '])).toBe(
        2,
      );
      expect(await lists.invited('later', 'ann@example.com')).toBe(true);
      expect(await lists.invited('later', ' BOB@example.com')).toBe(true);
      expect(await lists.invited('later', 'cat@example.com')).toBe(false);
      expect(await lists.invited('presale-now', 'ann@example.com')).toBe(false);
      expect(await lists.list('later', 1, 1)).toEqual({ total: 2, emails: ['ann@example.com'] });
      await lists.replace('later', ['cat@example.com']);
      expect(await lists.invited('later', 'ann@example.com')).toBe(false);
      expect(await lists.invited('later', 'cat@example.com')).toBe(true);
      await expect(lists.replace('nope', ['x@example.com'])).rejects.toMatchObject({
        code: 'EVENT_NOT_FOUND',
      });
    });
  });
}
