// The catalog search on 100,000 events: a made-up catalog with realistic names (5,000
// performers, 120 venues in 40 cities, events over the next year in eight categories) is
// loaded, then a mix of queries runs one after another (exact and misspelt names, prefixes,
// several words, filters by city, category, dates, distance and price, every sort, deep
// pages, browsing everything with facets, suggestions) and each is timed end to end through
// CatalogSearch (parse, word correction, search with facets, in its own transaction).
//
// Postgres is DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema
// made for the run and dropped at the end, and skipped with a notice when unreachable; PGlite
// runs in a fresh temporary directory, removed at the end (bench/lib/scratch-db.ts). A run
// fails unless the catalog holds exactly the events generated, every timed query ran, and
// the queries and suggestions found something (an empty catalog answers fast).
//
//   npm run bench -- search           100,000 events, 3,000 timed queries per adapter
//   npm run bench -- search quick     20,000 events, 600 queries
//   options (key=value): adapters=postgres,pglite events=100000 queries=3000 warmup=300
import { bulkEvents, bulkPerformers, bulkVenues } from '../../src/catalog/bulk.ts';
import { CATEGORIES, CITIES, type GeneratedCatalog, generateCatalog } from '../../src/catalog/demo-data.ts';
import { parseSearchQuery } from '../../src/catalog/schema.ts';
import { CatalogSearch } from '../../src/catalog/search.ts';
import type { Db } from '../../src/persistence/db.ts';
import { check, expectCount } from '../lib/checks.ts';
import { rng } from '../lib/rng.ts';
import { DATABASE_URL, openScratch, postgresUnreachable } from '../lib/scratch-db.ts';
import { Latencies, printJson, printTable, round } from '../lib/stats.ts';

const TARGET_P99_MS = 50;

interface Options {
  adapters: string[];
  events: number;
  queries: number;
  warmup: number;
}

function options(args: string[]): Options {
  const quick = args.includes('quick');
  const o: Options = {
    adapters: ['postgres', 'pglite'],
    events: quick ? 20_000 : 100_000,
    queries: quick ? 600 : 3000,
    warmup: quick ? 100 : 300,
  };
  for (const a of args) {
    const [k, v] = a.split('=');
    if (v === undefined) continue;
    if (k === 'adapters') o.adapters = v.split(',');
    else if (k in o) (o as unknown as Record<string, number>)[k] = Number(v);
  }
  return o;
}

interface Adapter {
  name: string;
  db: Db;
  cleanup(): Promise<void>;
}

/** The adapter on a database made for this run (a new schema, a new directory), or null when skipped. */
async function openAdapter(name: string): Promise<Adapter | null> {
  if (name !== 'postgres' && name !== 'pglite')
    throw new Error(`unknown adapter "${name}" (postgres, pglite)`);
  if (name === 'postgres') {
    const why = await postgresUnreachable();
    if (why) {
      console.log(`[skip] Postgres at ${DATABASE_URL} unreachable (${why}); skipping it`);
      return null;
    }
  }
  return openScratch(name, 'bench_search');
}

type Kind =
  | 'exact name'
  | 'misspelt name'
  | 'prefix'
  | 'two words'
  | 'city word'
  | 'q + city'
  | 'q + category'
  | 'browse city'
  | 'browse category + 30 days'
  | 'near 50 km'
  | 'price range, by price'
  | 'q, by popularity'
  | 'deep page'
  | 'browse everything'
  | 'no match';

/** One misspelling: a letter dropped, doubled or swapped for its neighbour. */
function misspell(word: string, r: () => number): string {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(r() * (word.length - 2));
  const roll = r();
  if (roll < 0.34) return word.slice(0, i) + word.slice(i + 1);
  if (roll < 0.67) return word.slice(0, i) + word[i] + word.slice(i);
  return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

/** The query mix, built from the catalog's own names so that most queries find something. */
export function makeQueries(
  cat: GeneratedCatalog,
  n: number,
  seed: number,
): { kind: Kind; params: Record<string, string> }[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const names = cat.performers.map((p) => p.name);
  const longWord = () => {
    for (;;) {
      const w = pick(pick(names).split(' '));
      if (w.length >= 5) return w;
    }
  };
  const cities = CITIES.slice(0, 40);
  const makers: [Kind, () => Record<string, string>][] = [
    ['exact name', () => ({ q: pick(names) })],
    ['misspelt name', () => ({ q: misspell(longWord(), r) })],
    ['prefix', () => ({ q: longWord().slice(0, 4) })],
    [
      'two words',
      () => ({ q: `${pick(cities).name} ${pick(['jazz', 'festival', 'live', 'tour', 'orchestra'])}` }),
    ],
    ['city word', () => ({ q: pick(cities).name })],
    ['q + city', () => ({ q: pick(['live', 'tour', 'festival', 'quartet']), city: pick(cities).name })],
    ['q + category', () => ({ q: longWord(), category: pick(CATEGORIES) })],
    ['browse city', () => ({ city: pick(cities).name })],
    [
      'browse category + 30 days',
      () => {
        const from = new Date(Date.now() + Math.floor(r() * 300) * 86_400_000);
        return {
          category: pick(CATEGORIES),
          from: from.toISOString().slice(0, 10),
          to: new Date(from.getTime() + 30 * 86_400_000).toISOString().slice(0, 10),
        };
      },
    ],
    [
      'near 50 km',
      () => {
        const c = pick(cities);
        return { near: `${c.lat},${c.lng}`, radiusKm: '50' };
      },
    ],
    [
      'price range, by price',
      () => {
        const min = 1000 + Math.floor(r() * 10_000);
        return { minPrice: String(min), maxPrice: String(min + 3000), sort: 'price' };
      },
    ],
    ['q, by popularity', () => ({ q: pick(['tour', 'live', 'festival', longWord()]), sort: 'popularity' })],
    [
      'deep page',
      () => ({ q: pick(['live', 'tour']), page: String(2 + Math.floor(r() * 20)), sort: 'date' }),
    ],
    ['browse everything', () => ({})],
    ['no match', () => ({ q: `qx${Math.floor(r() * 1e6).toString(36)}zv` })],
  ];
  return Array.from({ length: n }, (_, i) => {
    const [kind, make] = makers[i % makers.length];
    return { kind, params: make() };
  });
}

interface Run {
  adapter: string;
  events: number;
  loadMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  suggestP50Ms: number;
  suggestP99Ms: number;
  meanResults: number;
  byKind: Record<string, { p50Ms: number; p99Ms: number }>;
}

export async function run(args: string[]): Promise<void> {
  const o = options(args);
  const now = new Date();
  const started = performance.now();
  const catalog = generateCatalog({
    seed: 42,
    now,
    cities: 40,
    venueKinds: ['theatre', 'theatre', 'theatre'],
    performers: 5000,
    events: o.events,
    days: 365,
  });
  console.log(
    `generated ${catalog.events.length} events, ${catalog.performers.length} performers, ` +
      `${catalog.venues.length} venues in ${round(performance.now() - started)} ms`,
  );
  const queries = makeQueries(catalog, o.queries + o.warmup, 7);
  const prefixes = makeQueries(catalog, 600, 11)
    .filter((q) => q.params.q)
    .map((q) => q.params.q.slice(0, 3 + (q.params.q.length % 4)));

  const runs: Run[] = [];
  const skipped: string[] = [];
  for (const name of o.adapters) {
    const a = await openAdapter(name);
    if (!a) {
      skipped.push(name);
      continue;
    }
    try {
      const t0 = performance.now();
      await a.db.transaction(async (tx) => {
        await bulkVenues(tx, catalog.venues);
        await bulkPerformers(tx, catalog.performers);
        await bulkEvents(tx, catalog.events);
      });
      // The steady state of a server (autovacuum would get there): statistics, visibility map.
      await a.db.exec('VACUUM ANALYZE');
      const loadMs = round(performance.now() - t0);
      const { rows } = await a.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
      expectCount('search', `events are in the ${name} catalog`, rows[0].n, catalog.events.length);
      console.log(`${name}: loaded in ${loadMs} ms`);
      const search = new CatalogSearch(a.db, await CatalogSearch.trigramSchema(a.db));
      const all = new Latencies(`search (${name})`);
      const kinds = new Map<string, Latencies>();
      let results = 0;
      for (let i = 0; i < queries.length; i++) {
        const q = queries[i];
        const t = performance.now();
        const out = await search.search(parseSearchQuery(new URLSearchParams(q.params)));
        const ms = performance.now() - t;
        if (i < o.warmup) continue;
        all.record(ms);
        results += out.total;
        const k = kinds.get(q.kind) ?? new Latencies(`search "${q.kind}" (${name})`);
        kinds.set(q.kind, k);
        k.record(ms);
      }
      expectCount('search', `timed queries ran on ${name}`, all.count, o.queries);
      check(results > 0, `search: ${name}: no query found anything in ${catalog.events.length} events`);
      const suggest = new Latencies(`suggest (${name})`);
      let suggested = 0;
      for (const p of prefixes) {
        const t = performance.now();
        if ((await search.suggest(p)).length > 0) suggested++;
        suggest.record(performance.now() - t);
      }
      check(suggested > 0, `search: ${name}: none of ${prefixes.length} prefixes got a suggestion`);
      runs.push({
        adapter: name,
        events: catalog.events.length,
        loadMs,
        p50Ms: round(all.percentile(50), 2),
        p99Ms: round(all.percentile(99), 2),
        maxMs: round(all.percentile(100), 2),
        suggestP50Ms: round(suggest.percentile(50), 2),
        suggestP99Ms: round(suggest.percentile(99), 2),
        meanResults: round(results / all.count),
        byKind: Object.fromEntries(
          [...kinds].map(([k, l]) => [
            k,
            { p50Ms: round(l.percentile(50), 2), p99Ms: round(l.percentile(99), 2) },
          ]),
        ),
      });
    } finally {
      await a.cleanup();
    }
  }

  for (const r of runs) {
    printTable(
      `search on ${r.adapter}, ${r.events} events (${o.queries} queries after ${o.warmup} warm-up)`,
      [
        ...Object.entries(r.byKind).map(([kind, v]) => ({
          query: kind,
          p50ms: v.p50Ms,
          p99ms: v.p99Ms,
          target: '',
        })),
        {
          query: 'ALL (mix)',
          p50ms: r.p50Ms,
          p99ms: r.p99Ms,
          target:
            r.adapter === 'postgres'
              ? `p99 <= ${TARGET_P99_MS}: ${r.p99Ms <= TARGET_P99_MS ? 'yes' : 'NO'}`
              : '',
        },
        { query: 'suggest (prefix 3-6 chars)', p50ms: r.suggestP50Ms, p99ms: r.suggestP99Ms, target: '' },
      ],
    );
    console.log(`load ${r.loadMs} ms, mean total per query ${r.meanResults}, max ${r.maxMs} ms`);
  }
  for (const s of skipped) console.log(`\n${s}: skipped (unreachable)`);
  check(
    runs.length > 0,
    `search: no adapter ran (asked for ${o.adapters.join(', ')}; skipped ${skipped.join(', ')})`,
  );
  printJson({
    bench: 'search',
    events: o.events,
    queries: o.queries,
    targetP99Ms: TARGET_P99_MS,
    skipped,
    runs: runs.map(({ byKind: _, ...r }) => r),
    byKind: Object.fromEntries(runs.map((r) => [r.adapter, r.byKind])),
  });
}
