import type { Db } from '../persistence/db.ts';
import { CatalogError } from './errors.ts';
import { LISTED_STATUSES, type SearchQuery, type Sort } from './schema.ts';
import { fold, words } from './text.ts';

// The public search. A query is folded into words; each word matches itself, the last one
// also as a prefix, and a word found nowhere in the catalog's dictionary (search_words) also
// matches its nearest spellings there by trigram similarity ("beyonse" -> "beyonce"). The
// words are ANDed into one tsquery over the events' weighted text vector (GIN index); when
// that finds nothing, again without the words found nowhere. Filters narrow the same
// statement, which walks the matches in the order of the sort, examines at most CANDIDATES
// of them, and counts total and facets over them in the same round trip. Everything runs in
// one transaction with a statement timeout and only bound parameters.

const MAX_WORDS = 8;
const MAX_WORD = 40;
/** Least trigram similarity for a dictionary word to stand in for a misspelt one. */
const MIN_SIMILARITY = 0.4;
const FACETS = 20;
/**
 * A search with at most this many matches collects them all: total, facets and every page
 * are exact. One with more (a word in half the catalog, browsing everything) walks its
 * sort's index instead and examines the first CANDIDATES matches (relevance: the most
 * popular, ranked among themselves); it says so (totalExact, facetsExact false, total a
 * lower bound) and pages go that deep. Either way the work of one search is bounded.
 */
export const EXACT_MAX = 10_000;
export const CANDIDATES = 1000;
/** Text matches are costlier to collect (and rank): beyond this estimate, walk. */
const TEXT_COLLECT_MAX = 5000;
/** Event names examined for one suggestion list. */
const SUGGEST_SAMPLE = 200;
const TIMEOUT_MS = 2000;
const LISTED = `('${LISTED_STATUSES.join("','")}')`;

export interface SearchHit {
  id: string;
  name: string;
  category: string;
  status: string;
  startsAt: string;
  onSaleAt: string | null;
  venue: { id: string; name: string; city: string };
  performers: { id: string; name: string }[];
  minPrice: number | null;
  maxPrice: number | null;
  popularity: number;
  distanceKm?: number;
}

export interface Facet {
  value: string;
  count: number;
}

export interface SearchResponse {
  /** Matching events (a lower bound when totalExact is false). */
  total: number;
  totalExact: boolean;
  /** False when facets count only the examined candidates (more than EXACT_MAX matched). */
  facetsExact: boolean;
  page: number;
  pageSize: number;
  sort: Sort;
  results: SearchHit[];
  facets: { category: Facet[]; city: Facet[] };
  /** Query words that matched nothing as typed, and what they were read as. */
  corrections: Record<string, string[]>;
}

export interface Suggestion {
  type: 'event' | 'performer' | 'venue' | 'city';
  id: string | null;
  text: string;
  city: string | null;
}

const parsed = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
/** A tsquery lexeme: the words are letters and digits only, but quote defensively anyway. */
const lexeme = (w: string) => `'${w.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

interface Expansion {
  /** Per query word, its alternatives as tsquery text. */
  groups: string[];
  /** Per query word: found in the dictionary as typed, as a prefix, or corrected. */
  known: boolean[];
  /**
   * Per query word, about how many events carry it or its alternatives (0 for words only
   * descriptions have): the least of them bounds the matches of the whole query.
   */
  estimates: number[];
  corrections: Record<string, string[]>;
}

export class CatalogSearch {
  /**
   * @param trgm the schema pg_trgm lives in (operators and functions are qualified with it,
   *   so a search_path without it still works).
   */
  constructor(
    private readonly db: Db,
    private readonly trgm: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Finds the schema of pg_trgm (installed by migration 4). */
  static async trigramSchema(db: Db): Promise<string> {
    const { rows } = await db.query<{ s: string }>(
      `SELECT quote_ident(n.nspname) AS s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm'`,
    );
    if (rows.length === 0) throw new Error('pg_trgm is not installed (migration 4 installs it)');
    return rows[0].s;
  }

  async search(q: SearchQuery): Promise<SearchResponse> {
    const tokens = [...new Set(words(q.q).map((w) => w.slice(0, MAX_WORD)))].slice(0, MAX_WORDS);
    const sort: Sort = q.sort === 'relevance' && tokens.length === 0 ? 'date' : q.sort;
    const empty: SearchResponse = {
      total: 0,
      totalExact: true,
      facetsExact: true,
      page: q.page,
      pageSize: q.pageSize,
      sort,
      results: [],
      facets: { category: [], city: [] },
      corrections: {},
    };
    // Text with no letters or digits at all (punctuation, emoji) matches nothing.
    if (q.q !== '' && tokens.length === 0) return empty;
    return this.guarded(async (tx) => {
      if (tokens.length === 0) return { ...(await this.run(tx, q, sort, null)), corrections: {} };
      const { groups, known, estimates, corrections } = await this.expand(tx, tokens);
      const text = (i: number[]) => ({
        tsquery: i.map((k) => groups[k]).join(' & '),
        estimate: Math.min(...i.map((k) => estimates[k])),
      });
      const all = groups.map((_, i) => i);
      let out = await this.run(tx, q, sort, text(all));
      // Nothing with every word: try again without the words found nowhere in the catalog.
      const kept = all.filter((i) => known[i]);
      if (out.total === 0 && kept.length > 0 && kept.length < groups.length) {
        out = await this.run(tx, q, sort, text(kept));
      }
      return { ...out, corrections };
    });
  }

  /** Autocomplete: performers, venues, cities and upcoming events whose words start with `q`. */
  async suggest(text: string, limit = 10): Promise<Suggestion[]> {
    const k = fold(text).slice(0, 100);
    if (k.length < 2) return [];
    return this.guarded(async (tx) => {
      const starts = `${k}%`;
      const inside = k.length >= 3 ? `% ${k}%` : starts;
      const { rows } = await tx.query<Suggestion & { rank: number }>(
        `(SELECT 'performer' AS type, p.id, p.name AS text, NULL::text AS city, 1 AS rank FROM performers p
           WHERE p.name_key LIKE $1 OR p.name_key LIKE $2
           ORDER BY (p.name_key LIKE $1) DESC, p.name LIMIT 4)
         UNION ALL
         (SELECT 'city', NULL, min(v.city), NULL, 2 FROM venues v
           WHERE v.city_key LIKE $1 OR v.city_key LIKE $2 GROUP BY v.city_key ORDER BY v.city_key LIMIT 2)
         UNION ALL
         (SELECT 'venue', v.id, v.name, v.city, 3 FROM venues v
           WHERE v.name_key LIKE $1 OR v.name_key LIKE $2
           ORDER BY (v.name_key LIKE $1) DESC, v.name LIMIT 3)
         UNION ALL
         (SELECT 'event', c.id, c.name, c.city, 4 FROM (
            -- A common word prefixes thousands of names: rank a bounded sample of them.
            SELECT e.id, e.name, e.city, e.popularity, e.starts_at, e.name_key LIKE $1 AS starts FROM events e
             WHERE (e.name_key LIKE $1 OR e.name_key LIKE $2) AND e.status IN ${LISTED} AND e.starts_at >= $3
             LIMIT ${SUGGEST_SAMPLE}) c
           ORDER BY c.starts DESC, c.popularity DESC, c.starts_at, c.id LIMIT 5)`,
        [starts, inside, this.now()],
      );
      let out = rows;
      if (out.length < 3 && k.length >= 4) out = [...out, ...(await this.fuzzySuggest(tx, k, out))];
      return out.slice(0, limit).map(({ type, id, text, city }) => ({ type, id, text, city }));
    });
  }

  /** Misspelt suggestions: names by word similarity, events through corrected words. */
  private async fuzzySuggest(
    tx: Db,
    k: string,
    have: Suggestion[],
  ): Promise<(Suggestion & { rank: number })[]> {
    const t = this.trgm;
    const seen = new Set(have.map((s) => `${s.type}:${s.id}`));
    const { rows } = await tx.query<Suggestion & { rank: number }>(
      `(SELECT 'performer' AS type, p.id, p.name AS text, NULL::text AS city, 1 AS rank FROM performers p
         WHERE $1 OPERATOR(${t}.<%) p.name_key
         ORDER BY ${t}.word_similarity($1, p.name_key) DESC, p.name LIMIT 3)
       UNION ALL
       (SELECT 'venue', v.id, v.name, v.city, 3 FROM venues v
         WHERE $1 OPERATOR(${t}.<%) v.name_key
         ORDER BY ${t}.word_similarity($1, v.name_key) DESC, v.name LIMIT 2)`,
      [k],
    );
    const tokens = k.split(' ').slice(0, MAX_WORDS);
    const { groups } = await this.expand(tx, tokens);
    const events = await tx.query<Suggestion & { rank: number }>(
      `SELECT 'event' AS type, c.id, c.name AS text, c.city, 4 AS rank FROM (
         SELECT e.id, e.name, e.city, e.popularity, e.starts_at FROM events e
          WHERE e.search_vec @@ to_tsquery('simple', $1) AND e.status IN ${LISTED} AND e.starts_at >= $2
          LIMIT ${SUGGEST_SAMPLE}) c
        ORDER BY c.popularity DESC, c.starts_at, c.id LIMIT 5`,
      [groups.join(' & '), this.now()],
    );
    return [...rows, ...events.rows].filter((s) => !seen.has(`${s.type}:${s.id}`));
  }

  /** Each word with its prefix form (last word) and, when unknown, its nearest dictionary words. */
  private async expand(tx: Db, tokens: string[]): Promise<Expansion> {
    const t = this.trgm;
    const last = tokens.length - 1;
    const { rows } = await tx.query<{
      tok: string;
      known: boolean;
      ndoc: number;
      alts: string[];
      altdoc: number;
    }>(
      `SELECT u.tok, k.ndoc IS NOT NULL AS known, coalesce(k.ndoc, 0)::int AS ndoc, a.alts,
              coalesce((SELECT sum(w.ndoc) FROM search_words w WHERE w.word = ANY(a.alts)), 0)::int AS altdoc
         FROM unnest($1::text[]) WITH ORDINALITY AS u(tok, n)
        CROSS JOIN LATERAL (SELECT sum(w.ndoc) AS ndoc FROM search_words w
                             WHERE w.word = u.tok OR (u.n = $2 AND length(u.tok) >= 3 AND w.word LIKE u.tok || '%')) k
        CROSS JOIN LATERAL (SELECT CASE WHEN length(u.tok) < 4 THEN ARRAY[]::text[] ELSE ARRAY(
                SELECT w.word FROM search_words w
                 WHERE w.word OPERATOR(${t}.%) u.tok AND ${t}.similarity(w.word, u.tok) >= $3
                 ORDER BY ${t}.similarity(w.word, u.tok) DESC, w.word LIMIT 3) END AS alts) a`,
      [tokens, last + 1, MIN_SIMILARITY],
    );
    const byTok = new Map(rows.map((r) => [r.tok, r]));
    const corrections: Record<string, string[]> = {};
    const known = tokens.map((tok) => {
      const r = byTok.get(tok);
      return r !== undefined && (r.known || r.alts.length > 0);
    });
    const estimates: number[] = [];
    const groups = tokens.map((tok, i) => {
      const alts = [lexeme(tok)];
      if (i === last && tok.length >= 3) alts.push(`${lexeme(tok)}:*`);
      const r = byTok.get(tok);
      let estimate = r?.ndoc ?? 0;
      if (r && !r.known && r.alts.length > 0) {
        corrections[tok] = r.alts;
        for (const a of r.alts) alts.push(lexeme(a));
        estimate += r.altdoc;
      }
      estimates.push(estimate);
      return `(${alts.join(' | ')})`;
    });
    return { groups, known, estimates, corrections };
  }

  /**
   * Collects every match when there are at most EXACT_MAX (TEXT_COLLECT_MAX by the
   * dictionary's word counts for text, by a capped count otherwise): then totals, facets and
   * pages are exact. Beyond,
   * walks the matches in the order of the sort along its index and examines the first
   * CANDIDATES (relevance: the most popular, ranked among themselves).
   */
  private async run(tx: Db, q: SearchQuery, sort: Sort, text: { tsquery: string; estimate: number } | null) {
    let walk: boolean;
    if (text) walk = text.estimate > TEXT_COLLECT_MAX;
    else {
      // Counted without the price filter (checking prices means reading every row): an
      // upper bound, answered from the indexes.
      const probe = this.filters({ ...q, minPrice: null, maxPrice: null }, null);
      const { rows } = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${probe.from} WHERE ${probe.where} LIMIT ${EXACT_MAX + 1}) c`,
        probe.params,
      );
      walk = rows[0].n > EXACT_MAX;
    }
    const filters = this.filters(q, text?.tsquery ?? null);
    const out = await this.statement(tx, q, sort, filters, text !== null, walk);
    const cap = walk ? CANDIDATES : EXACT_MAX;
    if (out.total <= cap) return { ...out, totalExact: true, facetsExact: true };
    return { ...out, total: cap, totalExact: false, facetsExact: false };
  }

  /** The WHERE clause of a search (every filter), with its parameters. */
  private filters(q: SearchQuery, tsquery: string | null) {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = [`e.status IN ${LISTED}`, `e.starts_at >= ${p(q.from ?? this.now())}`];
    if (q.to) where.push(`e.starts_at < ${p(q.to)}`);
    let from = 'events e';
    if (tsquery !== null) {
      from = `events e CROSS JOIN to_tsquery('simple', ${p(tsquery)}) AS tq`;
      where.push('e.search_vec @@ tq');
    }
    let distance: string | null = null;
    if (q.near) {
      const { lat, lng } = q.near;
      const latP = p(lat);
      const lngP = p(lng);
      distance = `(2 * 6371 * asin(least(1, sqrt(power(sin(radians(e.lat - ${latP}) / 2), 2)
        + cos(radians(${latP})) * cos(radians(e.lat)) * power(sin(radians(e.lng - ${lngP}) / 2), 2)))))`;
      // A box around the circle (GiST on the position), then the exact distance.
      const dLat = q.radiusKm / 111.045;
      const cos = Math.cos((lat * Math.PI) / 180);
      const dLng = cos > 0.01 ? q.radiusKm / (111.045 * cos) : 360;
      const wraps = Math.abs(lat) + dLat >= 89 || lng - dLng <= -180 || lng + dLng >= 180;
      const [lng1, lng2] = wraps ? [-180, 180] : [lng - dLng, lng + dLng];
      where.push(
        `point(e.lng, e.lat) <@ box(point(${p(lng1)}, ${p(Math.max(-90, lat - dLat))}), point(${p(lng2)}, ${p(Math.min(90, lat + dLat))}))`,
        `e.lat IS NOT NULL`,
        `${distance} <= ${p(q.radiusKm)}`,
      );
    }
    if (q.minPrice !== null || q.maxPrice !== null) {
      const lo = p(q.minPrice ?? 0);
      const hi = p(q.maxPrice ?? 2 ** 31 - 1);
      where.push(
        `e.min_price <= ${hi} AND e.max_price >= ${lo}`,
        `EXISTS (SELECT 1 FROM unnest(e.prices) AS price WHERE price BETWEEN ${lo} AND ${hi})`,
      );
    }
    if (q.categories.length > 0) where.push(`e.category = ANY(${p(q.categories)}::text[])`);
    if (q.city) where.push(`e.city_key = ${p(fold(q.city))}`);
    return { from, where: where.join(' AND '), params, p, distance };
  }

  private async statement(
    tx: Db,
    q: SearchQuery,
    sort: Sort,
    f: ReturnType<CatalogSearch['filters']>,
    hasText: boolean,
    walk: boolean,
  ) {
    const { p, params } = f;
    const ranked = hasText && sort === 'relevance';
    const cols = ['e.id', 'e.category', 'e.city', 'e.city_key', 'e.starts_at', 'e.min_price', 'e.popularity'];
    // Ranked later, over the examined matches only.
    if (ranked) cols.push('e.search_vec AS vec', 'tq');
    if (f.distance) cols.push(`${f.distance} AS dist`);
    const limit = walk ? CANDIDATES : EXACT_MAX;
    // Relevance walks the most popular matches and ranks them among themselves.
    const walkOrder = walk
      ? `ORDER BY ${orderBy(sort === 'relevance' ? 'popularity' : sort, 'e.', false)}`
      : '';
    const order = (a: string) => orderBy(sort, a, ranked);
    const extra = [
      f.distance ? `'distanceKm', round(pg.dist::numeric, 1)` : null,
      ranked ? `'score', round(pg.rank::numeric, 4)` : null,
    ]
      .filter(Boolean)
      .map((s) => `, ${s}`)
      .join('');
    const sql = `
      WITH cand AS MATERIALIZED (SELECT ${cols.join(', ')} FROM ${f.from} WHERE ${f.where}
                                    ${walkOrder} LIMIT ${limit + 1}),
           hits AS (SELECT * ${ranked ? ', ts_rank(vec, tq) AS rank' : ''} FROM cand LIMIT ${limit}),
           pg AS (SELECT * FROM hits ORDER BY ${order('hits.')} LIMIT ${p(q.pageSize)} OFFSET ${p((q.page - 1) * q.pageSize)})
      SELECT
        (SELECT count(*)::int FROM cand) AS total,
        (SELECT coalesce(json_agg(json_build_object('value', f.category, 'count', f.n) ORDER BY f.n DESC, f.category), '[]'::json)
           FROM (SELECT category, count(*)::int AS n FROM hits
                  GROUP BY category ORDER BY n DESC, category LIMIT ${FACETS}) f) AS categories,
        (SELECT coalesce(json_agg(json_build_object('value', f.city, 'count', f.n) ORDER BY f.n DESC, f.city), '[]'::json)
           FROM (SELECT min(city) AS city, count(*)::int AS n FROM hits
                  GROUP BY city_key ORDER BY n DESC, min(city) LIMIT ${FACETS}) f) AS cities,
        (SELECT coalesce(json_agg(json_build_object(
                  'id', e.id, 'name', e.name, 'category', e.category, 'status', e.status,
                  'startsAt', e.starts_at, 'onSaleAt', e.on_sale_at,
                  'venue', json_build_object('id', v.id, 'name', v.name, 'city', v.city),
                  'performers', coalesce((SELECT json_agg(json_build_object('id', pf.id, 'name', pf.name) ORDER BY ep.position)
                                            FROM event_performers ep JOIN performers pf ON pf.id = ep.performer_id
                                           WHERE ep.event_id = e.id), '[]'::json),
                  'minPrice', e.min_price, 'maxPrice', e.max_price, 'popularity', e.popularity${extra})
                ORDER BY ${order('pg.')}), '[]'::json)
           FROM pg JOIN events e ON e.id = pg.id JOIN venues v ON v.id = e.venue_id) AS results`;
    const { rows } = await tx.query<{
      total: number;
      categories: Facet[] | string;
      cities: Facet[] | string;
      results: SearchHit[] | string;
    }>(sql, params);
    const r = rows[0];
    const results = parsed(r.results).map((h) => ({
      ...h,
      startsAt: new Date(h.startsAt).toISOString(),
      onSaleAt: h.onSaleAt === null ? null : new Date(h.onSaleAt).toISOString(),
    }));
    return {
      total: r.total,
      page: q.page,
      pageSize: q.pageSize,
      sort,
      results,
      facets: { category: parsed(r.categories), city: parsed(r.cities) },
    };
  }

  /** One transaction with a statement timeout; a timeout is a 503, not a 500. */
  private async guarded<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(async (tx) => {
        await tx.query(`SELECT set_config('statement_timeout', '${TIMEOUT_MS}', true)`);
        return fn(tx);
      });
    } catch (e) {
      if ((e as { code?: string }).code === '57014') {
        throw new CatalogError('SEARCH_TIMEOUT', 'the search took too long; narrow it down', {
          retryAfterSeconds: 1,
        });
      }
      throw e;
    }
  }
}

function orderBy(sort: Sort, a: string, ranked: boolean): string {
  switch (sort) {
    case 'relevance':
      return ranked ? `${a}rank DESC, ${a}popularity DESC, ${a}starts_at, ${a}id` : `${a}starts_at, ${a}id`;
    case 'date':
      return `${a}starts_at, ${a}id`;
    case 'price':
      return `${a}min_price ASC NULLS LAST, ${a}starts_at, ${a}id`;
    case 'popularity':
      return `${a}popularity DESC, ${a}starts_at, ${a}id`;
  }
}
