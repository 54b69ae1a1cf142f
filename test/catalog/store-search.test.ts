import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkChart } from '../../src/catalog/chart-format.ts';
import { parseSearchQuery } from '../../src/catalog/schema.ts';
import { CatalogSearch, type SearchResponse } from '../../src/catalog/search.ts';
import { CatalogStore } from '../../src/catalog/store.ts';
import { generateChart } from '../../src/domain/chart-generator.ts';
import { AppError } from '../../src/errors.ts';
import { statusOf } from '../../src/gateway/status-codes.ts';
import type { Db } from '../../src/persistence/db.ts';
import { databases } from './databases.ts';
import { at, LISTED, loadFixtures, tiers } from './fixtures.ts';

// The catalog store and the search on both adapters: typo tolerance, filters, facets,
// paging, sorting, bad and odd queries, suggestions, and search staying current as
// venues, performers and events change.

const ids = (r: SearchResponse) => r.results.map((h) => h.id);
const sorted = (xs: string[]) => [...xs].sort();

describe.each(databases('catalog_search'))('catalog store and search on $name', (target) => {
  let db: Db;
  let store: CatalogStore;
  let search: CatalogSearch;
  const find = (params: Record<string, string>) =>
    search.search(parseSearchQuery(new URLSearchParams(params)));

  beforeAll(async () => {
    if (target.skip) return;
    db = await target.open();
    store = new CatalogStore(db);
    search = new CatalogSearch(db, await CatalogSearch.trigramSchema(db));
    await loadFixtures(store);
  }, 60_000);

  afterAll(() => target.dispose());

  describe.skipIf(target.skip)('keyword search', () => {
    it('given "Beyonse", then both Beyoncé events are found and the correction is reported', async () => {
      const r = await find({ q: 'Beyonse' });
      expect(sorted(ids(r))).toEqual(['beyonce-london', 'beyonce-paris']);
      expect(r.corrections).toEqual({ beyonse: ['beyonce'] });
    });

    it('given accents, case, a prefix or compatibility forms, then they match alike', async () => {
      for (const q of ['beyoncé', 'BEYONCE', 'Beyon', 'Ｂｅｙｏｎｃｅ', '𝔅𝔢𝔶𝔬𝔫𝔠𝔢', 'beyonce\u0301']) {
        expect(sorted(ids(await find({ q }))), q).toEqual(['beyonce-london', 'beyonce-paris']);
      }
    });

    it('given misspelt performer and city names, then they are found', async () => {
      expect(ids(await find({ q: 'metalica' }))).toEqual(['metallica-zurich']);
      expect(sorted(ids(await find({ q: 'zurich' })))).toEqual(['mahler', 'metallica-zurich']);
      expect(sorted(ids(await find({ q: 'Zuerich philharmonik' })))).toEqual(['mahler']);
    });

    it('given words of the venue or the description, then they are searched too', async () => {
      expect(sorted(ids(await find({ q: 'pleyel' })))).toEqual(['beyonce-paris', 'swan-lake']);
      expect(ids(await find({ q: 'tchaikovsky' }))).toEqual(['swan-lake']);
    });

    it('given several words, then all must match, unless none match together', async () => {
      expect(ids(await find({ q: 'beyonce paris' }))).toEqual(['beyonce-paris']);
      expect(sorted(ids(await find({ q: 'beyonce qwxzv' })))).toEqual(['beyonce-london', 'beyonce-paris']);
    });

    it('given drafts, cancelled and past events, then they are never listed', async () => {
      const r = await find({ q: 'metallica' });
      expect(ids(r)).toEqual(['metallica-zurich']);
      expect(ids(await find({ q: 'secret' }))).toEqual([]);
    });

    it('given relevance sort, then the better match comes first', async () => {
      expect(ids(await find({ q: 'beyonce live' }))[0]).toBe('beyonce-paris');
      expect(ids(await find({ q: 'renaissance' }))).toEqual(['beyonce-london']);
    });
  });

  describe.skipIf(target.skip)('filters, facets, paging and sorting', () => {
    it('given a city in any case or accent, then only its events', async () => {
      for (const city of ['Zürich', 'zurich', 'ZÜRICH']) {
        expect(sorted(ids(await find({ city }))), city).toEqual(['mahler', 'metallica-zurich']);
      }
      expect(ids(await find({ city: 'Atlantis' }))).toEqual([]);
    });

    it('given categories, then only those', async () => {
      expect(sorted(ids(await find({ category: 'concert' })))).toEqual([
        'beyonce-london',
        'beyonce-paris',
        'metallica-zurich',
      ]);
      expect(sorted(ids(await find({ category: 'dance,classical' })))).toEqual(['mahler', 'swan-lake']);
    });

    it('given a date window, then only events starting in it (a date "to" includes its day)', async () => {
      const day = (d: number) => at(d).toISOString().slice(0, 10);
      expect(sorted(ids(await find({ from: day(4), to: day(15) })))).toEqual([
        'beyonce-london',
        'mahler',
        'swan-lake',
      ]);
      expect(ids(await find({ from: at(19).toISOString(), to: at(21).toISOString() }))).toEqual([
        'metallica-zurich',
      ]);
    });

    it('given near and a radius, then only events within it, with their distance', async () => {
      const r = await find({ near: '48.8566,2.3522', radiusKm: '25' });
      expect(sorted(ids(r))).toEqual(['beyonce-paris', 'swan-lake']);
      expect(r.results[0].distanceKm).toBeGreaterThan(0);
      expect(r.results[0].distanceKm).toBeLessThan(10);
      expect(ids(await find({ near: '0,0', radiusKm: '100' }))).toEqual([]);
      // London to Paris is about 340 km.
      expect(ids(await find({ near: '51.51,-0.12', radiusKm: '400', category: 'dance' }))).toEqual([
        'swan-lake',
      ]);
    });

    it('given a price range, then events with a tier inside it', async () => {
      expect(sorted(ids(await find({ minPrice: '40000' })))).toEqual(['beyonce-paris']);
      const cheap = await find({ maxPrice: '600' });
      expect(cheap.total).toBe(10); // open mics 1..10 cost 510..600
      // comedy-night's cheapest tier is 1500; mahler's tiers are 3000 and up.
      expect(ids(await find({ minPrice: '1000', maxPrice: '2000' }))).toEqual(['comedy-night']);
    });

    it('given no filter, then facets count every listed event by category and city', async () => {
      const r = await find({});
      expect(r.total).toBe(LISTED.length + 25);
      expect(r.facets.category).toEqual([
        { value: 'comedy', count: 26 },
        { value: 'concert', count: 3 },
        { value: 'classical', count: 1 },
        { value: 'dance', count: 1 },
      ]);
      expect(r.facets.city).toEqual([
        { value: 'London', count: 27 },
        { value: 'Paris', count: 2 },
        { value: 'Zürich', count: 2 },
      ]);
    });

    it('given a category filter, then the facets count the filtered results', async () => {
      const r = await find({ category: 'concert' });
      expect(r.totalExact).toBe(true);
      expect(r.facets.category).toEqual([{ value: 'concert', count: 3 }]);
      expect(r.facets.city).toEqual([
        { value: 'London', count: 1 },
        { value: 'Paris', count: 1 },
        { value: 'Zürich', count: 1 },
      ]);
    });

    it('given pages, then they partition the results without overlap', async () => {
      const seen: string[] = [];
      for (let page = 1; page <= 4; page++) {
        const r = await find({ page: String(page), pageSize: '10' });
        expect(r.total).toBe(31);
        expect(r.results.length).toBe(page < 4 ? 10 : 1);
        seen.push(...ids(r));
      }
      expect(new Set(seen).size).toBe(31);
      expect((await find({ page: '5', pageSize: '10' })).results).toEqual([]);
    });

    it('given each sort, then results come in its order', async () => {
      const byDate = (await find({ sort: 'date', pageSize: '100' })).results;
      expect(byDate.map((h) => h.startsAt)).toEqual(byDate.map((h) => h.startsAt).sort());
      const byPrice = (await find({ sort: 'price', pageSize: '100' })).results.map((h) => h.minPrice ?? 0);
      expect(byPrice).toEqual([...byPrice].sort((a, b) => a - b));
      const byPopularity = (await find({ sort: 'popularity', pageSize: '6' })).results.map((h) => h.id);
      expect(byPopularity).toEqual([
        'beyonce-london',
        'metallica-zurich',
        'beyonce-paris',
        'comedy-night',
        'swan-lake',
        'mahler',
      ]);
    });

    it('given a result, then it carries venue, performers and price range', async () => {
      const [hit] = (await find({ q: 'metallica' })).results;
      expect(hit).toMatchObject({
        id: 'metallica-zurich',
        name: 'Metallica: M72 Tour',
        category: 'concert',
        status: 'on_sale',
        venue: { id: 'tonhalle', name: 'Tonhalle', city: 'Zürich' },
        performers: [{ id: 'metallica', name: 'Metallica' }],
        minPrice: 9000,
        maxPrice: 36000,
        popularity: 800,
      });
      expect(hit.startsAt).toBe(at(20).toISOString());
    });
  });

  describe.skipIf(target.skip)('bad and odd queries', () => {
    const bad = {
      'negative page': { page: '-1' },
      'page zero': { page: '0' },
      'page not a number': { page: 'abc' },
      'huge pageSize': { pageSize: '1000' },
      'too deep': { page: '101', pageSize: '100' },
      'reversed dates': { from: '2030-02-01', to: '2030-01-01' },
      'to the day before from': { from: '2030-01-02', to: '2030-01-01' },
      'to a day that ended before from': { from: '2030-01-02T00:00:00Z', to: '2030-01-01' },
      'to a date-time before from': { from: '2030-01-02T12:00:00Z', to: '2030-01-02T11:59:59Z' },
      'impossible date': { from: '2030-13-45' },
      'not a date': { to: 'tomorrow' },
      '10,000-character q': { q: 'a'.repeat(10_000) },
      '201-character q': { q: 'b'.repeat(201) },
      'near not lat,lng': { near: 'paris' },
      'near out of range': { near: '95,10' },
      'negative radius': { near: '1,1', radiusKm: '-5' },
      'prices reversed': { minPrice: '500', maxPrice: '100' },
      'negative price': { minPrice: '-1' },
      'fractional price': { maxPrice: '9.99' },
      'unknown sort': { sort: 'random' },
      'injection in category': { category: "concert'; DROP TABLE events; --" },
      'long city': { city: 'x'.repeat(1000) },
    };
    for (const [what, params] of Object.entries(bad)) {
      it(`given ${what}, then a 400 naming the parameter`, () => {
        let err: unknown;
        try {
          parseSearchQuery(new URLSearchParams(params));
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('INVALID_QUERY');
        expect((err as AppError).message).toMatch(
          new RegExp(`^${Object.keys(params).at(-1)}|^${Object.keys(params)[0]}`),
        );
      });
    }

    it('given to on the day of from (a date includes its whole day), then the range is kept', () => {
      const day = Date.UTC(2030, 0, 1);
      for (const [from, to, start, end] of [
        ['2030-01-01', '2030-01-01', day, day + 86_400_000],
        ['2030-01-01T12:00:00Z', '2030-01-01', day + 43_200_000, day + 86_400_000],
        ['2030-01-02T01:00:00+02:00', '2030-01-01', day + 82_800_000, day + 86_400_000],
        ['2030-01-01T10:00:00Z', '2030-01-01T10:00:00Z', day + 36_000_000, day + 36_000_000],
      ] as const) {
        const q = parseSearchQuery(new URLSearchParams({ from, to }));
        expect([q.from?.getTime(), q.to?.getTime()], `${from}..${to}`).toEqual([start, end]);
      }
    });

    it('given odd Unicode and SQL-looking text, then a safe (often empty) result, never an error', async () => {
      const odd = [
        '💥🎫',
        '\u0000',
        'a\u0000b',
        '\ud800',
        '\udfff\ud800x',
        '\u202e\u202d',
        'ﷺ',
        '東京',
        'Пётр Ильич',
        "' OR 1=1 --",
        "'); DROP TABLE events; --",
        '%_\\',
        ':* & | ! <->',
        'e\u0301\u0301\u0301\u0301',
        'x'.repeat(200),
        'a b c d e f g h i j k l m n o p',
      ];
      for (const q of odd) {
        const r = await find({ q });
        expect(r.total, JSON.stringify(q)).toBeGreaterThanOrEqual(0);
      }
      // A city with no letters matches no city; one that cleans to nothing is no filter.
      for (const city of ['💥', "'", '\ud800']) expect((await find({ city })).total).toBe(0);
      expect((await find({ city: '\u0000\u0001' })).total).toBe(31);
      expect(
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n,
      ).toBeGreaterThan(30);
    });
  });

  describe.skipIf(target.skip)('suggestions', () => {
    it('given a prefix, then matching performers, cities, venues and events', async () => {
      const s = await search.suggest('bey');
      expect(s[0]).toEqual({ type: 'performer', id: 'beyonce', text: 'Beyoncé', city: null });
      expect(
        s
          .filter((x) => x.type === 'event')
          .map((x) => x.id)
          .sort(),
      ).toEqual(['beyonce-london', 'beyonce-paris']);
      expect(await search.suggest('zur')).toContainEqual({
        type: 'city',
        id: null,
        text: 'Zürich',
        city: null,
      });
      expect(await search.suggest('salle')).toContainEqual({
        type: 'venue',
        id: 'pleyel',
        text: 'Salle Pleyel',
        city: 'Paris',
      });
    });

    it('given a misspelling, then the nearest names', async () => {
      const s = await search.suggest('beyonse');
      expect(s).toContainEqual({ type: 'performer', id: 'beyonce', text: 'Beyoncé', city: null });
      expect(s.some((x) => x.id === 'beyonce-london')).toBe(true);
    });

    it('given one letter, nothing, or odd text, then no suggestions and no error', async () => {
      for (const q of ['b', '', '💥', '\u0000\u0000', "'%"]) expect(await search.suggest(q)).toEqual([]);
    });
  });

  describe.skipIf(target.skip)('the store', () => {
    it('given a venue or performer renamed, then search follows at once', async () => {
      await store.updatePerformer('comics', { name: 'The Giggling Owls' });
      expect(ids(await find({ q: 'giggling' }))).toEqual(['comedy-night']);
      expect(ids(await find({ q: 'laughing' }))).toEqual([]);
      await store.updateVenue('pleyel', { city: 'Lyon', lat: 45.76, lng: 4.84 });
      expect(sorted(ids(await find({ city: 'lyon' })))).toEqual(['beyonce-paris', 'swan-lake']);
      expect(sorted(ids(await find({ near: '45.76,4.84', radiusKm: '5' })))).toEqual([
        'beyonce-paris',
        'swan-lake',
      ]);
      await store.updateVenue('pleyel', { city: 'Paris', lat: 48.88, lng: 2.3 });
      await store.updatePerformer('comics', { name: 'The Laughing Owls' });
    });

    it('given an event edited, then search and its record follow', async () => {
      await store.updateEvent('swan-lake', { name: 'Swan Lake Gala', performerIds: ['ballet', 'zph'] });
      const e = await store.getEvent('swan-lake');
      expect(e).toMatchObject({ name: 'Swan Lake Gala', performerIds: ['ballet', 'zph'], chartVersion: 1 });
      expect(sorted(ids(await find({ q: 'gala' })))).toEqual(['swan-lake']);
      expect(sorted(ids(await find({ q: 'zurich philharmonic' })))).toEqual(['mahler', 'swan-lake']);
      await store.updateEvent('swan-lake', { name: 'Swan Lake', performerIds: ['ballet'] });
    });

    it('given bad references and ids, then the exact refusal', async () => {
      const base = {
        name: 'X',
        category: 'concert',
        venueId: 'lyric',
        startsAt: at(9),
        priceTiers: tiers(100),
      };
      const refuse = async (p: Promise<unknown>, status: number, code: string) => {
        const err = await p.then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toMatchObject({ code });
        expect(statusOf(code)).toBe(status);
      };
      const ev = (extra: Record<string, unknown>) =>
        store.createEvent({
          description: '',
          performerIds: [],
          status: 'scheduled',
          ...base,
          ...extra,
        } as never);
      await refuse(ev({ id: 'swan-lake' }), 409, 'ALREADY_EXISTS');
      await refuse(ev({ venueId: 'nowhere' }), 400, 'UNKNOWN_VENUE');
      await refuse(ev({ performerIds: ['nobody'] }), 400, 'UNKNOWN_PERFORMER');
      await refuse(ev({ priceTiers: { VIP: 100 } }), 400, 'UNKNOWN_PRICE_CATEGORY');
      await refuse(ev({ priceTiers: {} }), 400, 'NO_PRICE_TIERS');
      await store.createVenue(
        { id: 'empty', name: 'Empty Hall', city: 'Oslo', address: '', country: '' },
        null,
      );
      await refuse(ev({ venueId: 'empty' }), 409, 'VENUE_HAS_NO_CHART');
      await refuse(store.setPriceTiers('swan-lake', { P1: 1 }), 409, 'EVENT_PUBLISHED');
      await refuse(store.updateEvent('swan-lake', { venueId: 'lyric' }), 409, 'EVENT_PUBLISHED');
      await refuse(store.setStatus('cancelled-gig', 'on_sale'), 409, 'BAD_TRANSITION');
      await refuse(store.setStatus('swan-lake', 'draft'), 409, 'BAD_TRANSITION');
      await refuse(store.getEvent('nope'), 404, 'EVENT_NOT_FOUND');
      await refuse(store.updateEvent('mahler', { onSaleAt: at(30) }), 400, 'INVALID_BODY');
    });

    it('given a draft, then tiers change freely and publishing pins the current chart', async () => {
      await store.setPriceTiers('secret-show', { P1: 50_000 });
      const chart = generateChart('theatre', 'lyric-v2');
      chart.categories.push({ id: 'P5', name: 'Box' });
      const { venue } = await store.importChart('lyric', checkChart(chart));
      expect(venue.chartVersion).toBe(2);
      expect((await store.getEvent('beyonce-london')).chartVersion).toBe(1);
      await store.setPriceTiers('secret-show', { P1: 50_000, P5: 90_000 });
      const { event, from, changed } = await store.setStatus('secret-show', 'scheduled');
      expect({ from, changed, chartVersion: event.chartVersion }).toEqual({
        from: 'draft',
        changed: true,
        chartVersion: 2,
      });
      expect((await store.setStatus('secret-show', 'scheduled')).changed).toBe(false);
      expect((await store.chartText('lyric'))?.version).toBe(2);
      expect(JSON.parse((await store.chartText('lyric'))!.json).id).toBe('lyric-v2');
      expect((await store.chart('lyric', 1)).categories).toHaveLength(4);
      expect((await store.liveSpecs(['secret-show']))[0]).toMatchObject({
        chartVersion: 2,
        prices: { P1: 50_000, P5: 90_000 },
      });
    });

    it('given the database closed and opened again, then everything is still there', async () => {
      await db.close();
      db = await target.open();
      store = new CatalogStore(db);
      search = new CatalogSearch(db, await CatalogSearch.trigramSchema(db));
      expect((await store.getEvent('beyonce-london')).priceTiers).toEqual(tiers(8000));
      // secret-show was published (scheduled) by the test before.
      expect(sorted(ids(await find({ q: 'beyonse' })))).toEqual([
        'beyonce-london',
        'beyonce-paris',
        'secret-show',
      ]);
    });
  });
});
