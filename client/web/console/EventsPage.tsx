// Every event (drafts included) and a form to create one on a venue's chart, with a price for
// each of the chart's categories.
import { useState } from 'preact/hooks';
import type { Chart } from '../../../src/domain/chart.ts';
import { type CatalogEvent, createEvent, listEvents, listVenues, venueChart } from '../../sdk/operator.ts';
import { http } from '../lib/api.ts';
import { Link, navigate } from '../lib/navigation.tsx';
import { fromLocalInput, when } from './format.ts';
import { PriceInputs, type PriceTexts, tiersFrom } from './PriceInputs.tsx';
import { consoleHref } from './paths.ts';
import { SaleTimes } from './SaleTimes.tsx';
import { STATUS_TEXT } from './sale-actions.ts';
import { ErrorNote, Field, useAction, useLoad } from './ui.tsx';

const PAGE = 50;

export function EventsPage() {
  const [page, setPage] = useState(1);
  const events = useLoad(() => listEvents(http(), { page, pageSize: PAGE }), [page]);
  const pages = events.data ? Math.max(1, Math.ceil(events.data.total / PAGE)) : 1;
  return (
    <section>
      <h1>Events</h1>
      <ErrorNote error={events.error} />
      {events.data && events.data.items.length === 0 && <p>No events yet: create the first below.</p>}
      {events.data && events.data.items.length > 0 && (
        <table class="stackable">
          <caption class="visually-hidden">Events, by start time</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Starts</th>
              <th scope="col">Status</th>
              <th scope="col">Pages</th>
            </tr>
          </thead>
          <tbody>
            {events.data.items.map((e: CatalogEvent) => (
              <tr key={e.id}>
                <td data-label="Event">
                  <Link href={consoleHref.event(e.id)}>{e.name}</Link>
                </td>
                <td data-label="Starts">{when(e.startsAt)}</td>
                <td data-label="Status">{STATUS_TEXT[e.status]}</td>
                <td data-label="Pages">
                  <Link href={consoleHref.dashboard(e.id)}>
                    Dashboard<span class="visually-hidden"> of {e.name}</span>
                  </Link>
                  {' · '}
                  <Link href={consoleHref.boxOffice(e.id)}>
                    Box office<span class="visually-hidden"> of {e.name}</span>
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pages > 1 && (
        <div class="row pager">
          <button type="button" class="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous page
          </button>
          <span>
            Page {page} of {pages}
          </span>
          <button type="button" class="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Next page
          </button>
        </div>
      )}
      <CreateEvent />
    </section>
  );
}

function CreateEvent() {
  const venues = useLoad(() => listVenues(http()), []);
  const [venueId, setVenueId] = useState('');
  const chart = useLoad<Chart | null>(
    async () => (venueId ? ((await venueChart(http(), venueId)) as Chart) : null),
    [venueId],
  );
  const [prices, setPrices] = useState<PriceTexts>({});
  const action = useAction();
  const withCharts = (venues.data?.items ?? []).filter((v) => v.chartVersion > 0);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    action.run(async () => {
      const tiers = tiersFrom(prices);
      if (!tiers.ok) throw new Error(tiers.error);
      const startsAt = fromLocalInput(String(f.get('startsAt')));
      if (!startsAt) throw new Error('Give the start date and time.');
      const ev = await createEvent(http(), {
        id: String(f.get('id') ?? '').trim() || undefined,
        name: String(f.get('name')).trim(),
        category: String(f.get('category')).trim(),
        venueId,
        startsAt,
        presaleAt: fromLocalInput(String(f.get('presaleAt'))),
        onSaleAt: fromLocalInput(String(f.get('onSaleAt'))),
        status: 'draft',
        priceTiers: tiers.tiers,
      });
      navigate(consoleHref.event(ev.id));
    });
  };

  return (
    <section class="panel" aria-labelledby="new-event">
      <h2 id="new-event">New event</h2>
      <p class="hint">
        It starts as a draft on the venue's current chart; publish it and open its sale from its page.
      </p>
      <ErrorNote error={venues.error} />
      {venues.data && withCharts.length === 0 && (
        <p>
          No venue has a chart yet. <Link href={consoleHref.venues}>Add a venue with a chart</Link> first.
        </p>
      )}
      <form class="stack" onSubmit={submit}>
        <div class="row">
          <Field id="ev-name" label="Name">
            <input id="ev-name" name="name" required maxLength={200} />
          </Field>
          <Field
            id="ev-id"
            label="Id (optional)"
            hint="Letters, digits, - and _; made from the name if empty."
          >
            <input
              id="ev-id"
              name="id"
              pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,63}"
              aria-describedby="ev-id-hint"
            />
          </Field>
          <Field id="ev-category" label="Category" hint="concert, theatre, sport, comedy…">
            <input
              id="ev-category"
              name="category"
              required
              defaultValue="concert"
              pattern="[a-z][a-z0-9\-]{0,31}"
              aria-describedby="ev-category-hint"
            />
          </Field>
        </div>
        <Field id="ev-venue" label="Venue and chart">
          <select id="ev-venue" required value={venueId} onChange={(e) => setVenueId(e.currentTarget.value)}>
            <option value="">Choose a venue…</option>
            {withCharts.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}, {v.city} ({v.capacity.toLocaleString()} places, chart v{v.chartVersion})
              </option>
            ))}
          </select>
        </Field>
        <SaleTimes idPrefix="ev" />
        <ErrorNote error={chart.error} />
        {chart.data && (
          <fieldset>
            <legend>Prices per category of {chart.data.name}</legend>
            <PriceInputs
              idPrefix="new"
              categories={chart.data.categories}
              value={prices}
              onChange={setPrices}
            />
          </fieldset>
        )}
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy || !venueId}>
          Create the event
        </button>
      </form>
    </section>
  );
}
