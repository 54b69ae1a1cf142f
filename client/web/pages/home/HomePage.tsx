// Home: search the catalog (with autocomplete), narrow by date, city, category and price,
// and page through event cards. The search is the URL's query (search-params.ts).
import { type SearchResult, type Suggestion, searchEvents } from '../../../sdk/catalog.ts';
import { SearchBox } from '../../layout/SearchBox.tsx';
import { http } from '../../lib/api.ts';
import { navigate, useLocation } from '../../lib/navigation.tsx';
import { href } from '../../lib/routes.ts';
import { useLoad } from '../../lib/use-load.ts';
import { EventCard } from './EventCard.tsx';
import { Pagination } from './Pagination.tsx';
import {
  formFromQuery,
  formProblem,
  pageCount,
  queryFromForm,
  type SearchForm,
  searchFromForm,
} from './search-params.ts';

export function HomePage() {
  const { query } = useLocation();
  const form = formFromQuery(query);
  const key = queryFromForm(form);
  const problem = formProblem(form);
  const search = useLoad(
    () => (problem ? Promise.resolve(null) : searchEvents(http(), searchFromForm(form))),
    [key],
  );
  const result = search.data;
  const error = search.error;
  const loading = search.loading;

  const go = (change: Partial<SearchForm>) => navigate(`/${queryFromForm({ ...form, page: 1, ...change })}`);
  const onPick = (q: string, s?: Suggestion) => {
    if (s?.type === 'event' && s.id) navigate(href.event(s.id));
    else if (s?.type === 'city') go({ q: '', city: s.text });
    else go({ q });
  };
  const pages = result ? pageCount(result.total, result.pageSize) : 1;
  const corrections = result ? Object.entries(result.corrections) : [];

  return (
    <section>
      <h1>Find events</h1>
      <SearchBox label="Search events" initial={form.q} onSearch={onPick} />
      <Filters form={form} result={result} onApply={go} />
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          The search failed: {error}
        </p>
      )}
      <div aria-live="polite" class="result-summary">
        {loading && !problem ? (
          <p class="muted">Searching…</p>
        ) : result && !problem ? (
          <p>
            {result.total === 0
              ? 'No events match.'
              : `${result.totalExact ? '' : 'More than '}${result.total} event${result.total === 1 ? '' : 's'}${pages > 1 ? ` · page ${result.page} of ${pages}` : ''}`}
            {corrections.length > 0 && (
              <span class="muted">
                {' '}
                (searched for{' '}
                {corrections.map(([typed, read]) => `${read.join(' or ')} instead of “${typed}”`).join(', ')})
              </span>
            )}
          </p>
        ) : null}
      </div>
      {result && !problem && (
        <>
          <ul class="cards" aria-label="Events">
            {result.results.map((hit) => (
              <EventCard key={hit.id} hit={hit} />
            ))}
          </ul>
          <Pagination
            page={result.page}
            pages={pages}
            hrefFor={(page) => `/${queryFromForm({ ...form, page })}`}
          />
        </>
      )}
    </section>
  );
}

function Filters({
  form,
  result,
  onApply,
}: {
  form: SearchForm;
  result: SearchResult | null;
  onApply(change: Partial<SearchForm>): void;
}) {
  const cities = result?.facets.city ?? [];
  const categories = result?.facets.category ?? [];
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const v = (k: string) => String(f.get(k) ?? '');
    onApply({
      from: v('from'),
      to: v('to'),
      city: v('city'),
      category: v('category'),
      minPrice: v('minPrice'),
      maxPrice: v('maxPrice'),
      sort: v('sort') as SearchForm['sort'],
    });
  };
  const active = (['from', 'to', 'city', 'category', 'minPrice', 'maxPrice', 'sort'] as const).filter(
    (k) => form[k],
  ).length;
  // Folded on a phone (unless some are set), where they would push the results off screen.
  const narrow = typeof matchMedia === 'function' && matchMedia('(max-width: 40rem)').matches;
  // Keyed by the URL's query: going back or following a link resets what the fields show.
  return (
    <details class="filters" open={!narrow || active > 0}>
      <summary>Filters{active > 0 ? ` (${active} set)` : ''}</summary>
      <form class="row" onSubmit={submit} key={queryFromForm(form)} aria-label="Filters">
        <div class="field">
          <label for="f-from">From</label>
          <input id="f-from" name="from" type="date" value={form.from} />
        </div>
        <div class="field">
          <label for="f-to">To</label>
          <input id="f-to" name="to" type="date" value={form.to} />
        </div>
        <div class="field">
          <label for="f-city">City</label>
          <input id="f-city" name="city" list="f-cities" value={form.city} autocomplete="off" />
          <datalist id="f-cities">
            {cities.map((c) => (
              <option key={c.value} value={c.value} />
            ))}
          </datalist>
        </div>
        <div class="field">
          <label for="f-category">Category</label>
          <select id="f-category" name="category" value={form.category}>
            <option value="">Any</option>
            {form.category && !categories.some((c) => c.value === form.category) && (
              <option value={form.category}>{form.category}</option>
            )}
            {categories.map((c) => (
              <option key={c.value} value={c.value}>
                {c.value} ({c.count})
              </option>
            ))}
          </select>
        </div>
        <div class="field price">
          <label for="f-min">Lowest price</label>
          <input
            id="f-min"
            name="minPrice"
            type="number"
            min="0"
            step="1"
            inputMode="numeric"
            value={form.minPrice}
          />
        </div>
        <div class="field price">
          <label for="f-max">Highest price</label>
          <input
            id="f-max"
            name="maxPrice"
            type="number"
            min="0"
            step="1"
            inputMode="numeric"
            value={form.maxPrice}
          />
        </div>
        <div class="field">
          <label for="f-sort">Sort by</label>
          <select id="f-sort" name="sort" value={form.sort}>
            <option value="">Best match</option>
            <option value="date">Date</option>
            <option value="price">Price</option>
            <option value="popularity">Popularity</option>
          </select>
        </div>
        <button type="submit" class="secondary">
          Apply filters
        </button>
      </form>
    </details>
  );
}
