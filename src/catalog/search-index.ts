import type { Db } from '../persistence/db.ts';
import { fold } from './text.ts';

// Keeps each event's search columns current: the venue's city and position, the prices,
// the folded name, and the weighted text vector (A: event name and performers, B: venue and
// city, C: category and country, D: description), all over text folded here so that the
// query side, folded the same way, matches accents and case alike. The words of the A-C
// parts go into search_words, the dictionary misspelt query words are corrected against.

const CHUNK = 2000;
/** Description text indexed per event. */
const DESCRIPTION_CHARS = 4000;

interface SourceRow {
  id: string;
  name: string;
  description: string;
  category: string;
  venue: string;
  city: string;
  country: string;
  lat: number | null;
  lng: number | null;
  performers: string;
}

/** Recomputes the search columns of these events (call inside the transaction that changed them). */
export async function refreshSearch(db: Db, eventIds: string[]): Promise<void> {
  for (let i = 0; i < eventIds.length; i += CHUNK) {
    const ids = eventIds.slice(i, i + CHUNK);
    const { rows } = await db.query<SourceRow>(
      `SELECT e.id, e.name, e.description, e.category, v.name AS venue, v.city, v.country, v.lat, v.lng,
              coalesce((SELECT string_agg(p.name, ' ' ORDER BY ep.position)
                          FROM event_performers ep JOIN performers p ON p.id = ep.performer_id
                         WHERE ep.event_id = e.id), '') AS performers
         FROM events e JOIN venues v ON v.id = e.venue_id
        WHERE e.id = ANY($1::text[])`,
      [ids],
    );
    if (rows.length === 0) continue;
    const col = <T>(f: (r: SourceRow) => T) => rows.map(f);
    await countWords(db, ids, -1);
    await db.query(
      `UPDATE events e SET
          name_key = u.name_key, city = u.city, city_key = u.city_key, lat = u.lat, lng = u.lng,
          prices = ARRAY(SELECT t.price FROM price_tiers t WHERE t.event_id = e.id ORDER BY t.price),
          min_price = (SELECT min(t.price) FROM price_tiers t WHERE t.event_id = e.id),
          max_price = (SELECT max(t.price) FROM price_tiers t WHERE t.event_id = e.id),
          search_vec = setweight(to_tsvector('simple', u.a), 'A') || setweight(to_tsvector('simple', u.b), 'B')
                    || setweight(to_tsvector('simple', u.c), 'C') || setweight(to_tsvector('simple', u.d), 'D')
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::text[], $9::float8[], $10::float8[])
              AS u(id, a, b, c, d, name_key, city, city_key, lat, lng)
        WHERE e.id = u.id`,
      [
        col((r) => r.id),
        col((r) => fold(`${r.name} ${r.performers}`)),
        col((r) => fold(`${r.venue} ${r.city}`)),
        col((r) => fold(`${r.category.replace(/-/g, ' ')} ${r.country}`)),
        col((r) => fold(r.description.slice(0, DESCRIPTION_CHARS))),
        col((r) => fold(r.name)),
        col((r) => r.city),
        col((r) => fold(r.city)),
        col((r) => r.lat),
        col((r) => r.lng),
      ],
    );
    await countWords(db, ids, 1);
  }
}

/** Adds (+1) or removes (-1) these events' words to the dictionary's document counts. */
async function countWords(db: Db, ids: string[], sign: 1 | -1): Promise<void> {
  const words = `SELECT w, count(*)::int AS n
                   FROM events e, unnest(tsvector_to_array(ts_filter(e.search_vec, '{a,b,c}'))) AS w
                  WHERE e.id = ANY($1::text[]) AND length(w) >= 3 GROUP BY w`;
  await db.query(
    sign > 0
      ? `INSERT INTO search_words (word, ndoc) ${words}
         ON CONFLICT (word) DO UPDATE SET ndoc = search_words.ndoc + excluded.ndoc`
      : `UPDATE search_words s SET ndoc = greatest(0, s.ndoc - c.n) FROM (${words}) c WHERE s.word = c.w`,
    [ids],
  );
}

/** Every event of a venue or a performer (whose search columns a change of it affects). */
export async function eventsOf(db: Db, by: 'venue' | 'performer', id: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    by === 'venue'
      ? 'SELECT id FROM events WHERE venue_id = $1'
      : 'SELECT event_id AS id FROM event_performers WHERE performer_id = $1',
    [id],
  );
  return rows.map((r) => r.id);
}
