// Venues and their seat charts: create a venue from a generator template or an imported
// chart (docs/chart-format.md), checked and previewed on the seat map before it is sent;
// preview a venue's chart, or import a new version of it.
import { useState } from 'preact/hooks';
import type { Chart } from '../../../src/domain/chart.ts';
import {
  type ChartTemplate,
  chartTemplate,
  createVenue,
  listVenues,
  putVenueChart,
  type Venue,
  venueChart,
} from '../../sdk/operator.ts';
import { http } from '../lib/api.ts';
import { ChartPreview } from './ChartPreview.tsx';
import { type ChartCheck, checkChartText } from './chart-check.ts';
import { ErrorNote, Field, Notice, useAction, useLoad } from './ui.tsx';

const TEMPLATES: { kind: ChartTemplate; label: string }[] = [
  { kind: 'theatre', label: 'Theatre: stalls and circle, 2,007 seats' },
  { kind: 'arena', label: 'Arena: two tiers, 16,440 seats and a 2,500-place floor' },
  { kind: 'stadium', label: 'Stadium: three tiers, 81,450 seats and two 6,000-place floors' },
];

export function VenuesPage() {
  const venues = useLoad(() => listVenues(http()), []);
  const [shown, setShown] = useState<{ venue: Venue; chart: Chart } | null>(null);
  const look = useAction();
  const preview = (v: Venue) =>
    look.run(async () => {
      setShown({ venue: v, chart: (await venueChart(http(), v.id)) as Chart });
    });
  return (
    <section>
      <h1>Venues and charts</h1>
      <ErrorNote error={venues.error} />
      {venues.data && venues.data.items.length === 0 && <p>No venues yet.</p>}
      {venues.data && venues.data.items.length > 0 && (
        <table class="stackable">
          <caption class="visually-hidden">Venues</caption>
          <thead>
            <tr>
              <th scope="col">Venue</th>
              <th scope="col">City</th>
              <th scope="col" class="num">
                Places
              </th>
              <th scope="col">Chart</th>
            </tr>
          </thead>
          <tbody>
            {venues.data.items.map((v) => (
              <tr key={v.id}>
                <td data-label="Venue">{v.name}</td>
                <td data-label="City">{v.city}</td>
                <td data-label="Places" class="num">
                  {v.capacity.toLocaleString()}
                </td>
                <td data-label="Chart">
                  {v.chartVersion > 0 ? (
                    <button type="button" class="secondary" onClick={() => preview(v)}>
                      Preview<span class="visually-hidden"> the chart of {v.name},</span> version{' '}
                      {v.chartVersion}
                    </button>
                  ) : (
                    'none yet'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote error={look.error} />
      {shown && (
        <>
          <ChartPreview
            chart={shown.chart}
            title={`${shown.venue.name}, chart version ${shown.venue.chartVersion}`}
          />
          <ImportVersion
            venue={shown.venue}
            onDone={() => {
              setShown(null);
              venues.reload();
            }}
          />
        </>
      )}
      <NewVenue onCreated={venues.reload} />
    </section>
  );
}

/** A chart from a file or pasted text, checked as it is given. */
function ChartSource({ id, onChart }: { id: string; onChart: (c: Chart | null) => void }) {
  const [check, setCheck] = useState<ChartCheck | null>(null);
  const [text, setText] = useState('');
  const take = (t: string) => {
    setText(t);
    if (!t.trim()) {
      setCheck(null);
      onChart(null);
      return;
    }
    const c = checkChartText(t);
    setCheck(c);
    onChart(c.ok ? c.chart : null);
  };
  return (
    <div class="stack">
      <Field id={`${id}-file`} label="Chart file (JSON)">
        <input
          id={`${id}-file`}
          type="file"
          accept="application/json,.json"
          onChange={async (e) => {
            const f = e.currentTarget.files?.[0];
            if (f) take(await f.text());
          }}
        />
      </Field>
      <Field id={`${id}-text`} label="…or paste the chart JSON">
        <textarea
          id={`${id}-text`}
          rows={6}
          spellcheck={false}
          value={text}
          onInput={(e) => take(e.currentTarget.value)}
          aria-describedby={check && !check.ok ? `${id}-problems` : undefined}
        />
      </Field>
      {check && !check.ok && (
        <div id={`${id}-problems`} role="alert" class="error">
          <p>This chart cannot be imported:</p>
          <ul>
            {check.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function ImportVersion({ venue, onDone }: { venue: Venue; onDone: () => void }) {
  const [chart, setChart] = useState<Chart | null>(null);
  const action = useAction();
  return (
    <section class="panel" aria-labelledby="import-h">
      <h2 id="import-h">Import a new chart version for {venue.name}</h2>
      <p class="hint">
        Published events keep the version they opened with; drafts and new events get the new one.
      </p>
      <ChartSource id="import" onChart={setChart} />
      {chart && <ChartPreview chart={chart} title={`New chart: ${chart.name}`} />}
      <ErrorNote error={action.error} />
      <button
        type="button"
        disabled={!chart || action.busy}
        onClick={() =>
          action.run(async () => {
            await putVenueChart(http(), venue.id, chart);
            onDone();
          })
        }
      >
        Import as version {venue.chartVersion + 1}
      </button>
    </section>
  );
}

function NewVenue({ onCreated }: { onCreated: () => void }) {
  const [source, setSource] = useState<'template' | 'import'>('template');
  const [template, setTemplate] = useState<ChartTemplate>('theatre');
  const [chart, setChart] = useState<Chart | null>(null);
  const load = useAction();
  const action = useAction();

  const previewTemplate = () =>
    load.run(async () => {
      setChart((await chartTemplate(http(), template)) as Chart);
    });

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    action.run(async () => {
      const base = {
        id: String(f.get('id') ?? '').trim() || undefined,
        name: String(f.get('name')).trim(),
        city: String(f.get('city')).trim(),
        address: String(f.get('address') ?? '').trim() || undefined,
        country: String(f.get('country') ?? '').trim() || undefined,
      };
      if (source === 'import' && !chart) throw new Error('Give a chart that passes the check first.');
      const v = await createVenue(
        http(),
        source === 'template' ? { ...base, chartTemplate: template } : { ...base, chart: chart! },
      );
      form.reset();
      setChart(null);
      onCreated();
      return `Venue ${v.name} created with ${v.capacity.toLocaleString()} places.`;
    });
  };

  return (
    <section class="panel" aria-labelledby="new-venue-h">
      <h2 id="new-venue-h">New venue</h2>
      <form class="stack" onSubmit={submit}>
        <div class="row">
          <Field id="venue-name" label="Name">
            <input id="venue-name" name="name" required maxLength={200} />
          </Field>
          <Field id="venue-city" label="City">
            <input id="venue-city" name="city" required maxLength={100} />
          </Field>
          <Field id="venue-address" label="Address (optional)">
            <input id="venue-address" name="address" maxLength={300} />
          </Field>
          <Field id="venue-country" label="Country (optional)">
            <input id="venue-country" name="country" maxLength={100} />
          </Field>
          <Field id="venue-id" label="Id (optional)">
            <input id="venue-id" name="id" pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,63}" />
          </Field>
        </div>
        <fieldset>
          <legend>Seat chart</legend>
          <div class="row">
            <div class="field checkbox">
              <input
                type="radio"
                id="src-template"
                name="source"
                checked={source === 'template'}
                onChange={() => {
                  setSource('template');
                  setChart(null);
                }}
              />
              <label for="src-template">Start from a template</label>
            </div>
            <div class="field checkbox">
              <input
                type="radio"
                id="src-import"
                name="source"
                checked={source === 'import'}
                onChange={() => {
                  setSource('import');
                  setChart(null);
                }}
              />
              <label for="src-import">Import a chart</label>
            </div>
          </div>
          {source === 'template' ? (
            <div class="row">
              <Field id="venue-template" label="Template">
                <select
                  id="venue-template"
                  value={template}
                  onChange={(e) => {
                    setTemplate(e.currentTarget.value as ChartTemplate);
                    setChart(null);
                  }}
                >
                  {TEMPLATES.map((t) => (
                    <option key={t.kind} value={t.kind}>
                      {t.label}
                    </option>
                  ))}
                </select>
              </Field>
              <button type="button" class="secondary" disabled={load.busy} onClick={previewTemplate}>
                Preview the template
              </button>
            </div>
          ) : (
            <ChartSource id="new-chart" onChart={setChart} />
          )}
          <ErrorNote error={load.error} />
        </fieldset>
        {chart && <ChartPreview chart={chart} title={`Preview: ${chart.name}`} />}
        <ErrorNote error={action.error} />
        <Notice text={action.done} />
        <button type="submit" disabled={action.busy}>
          Create the venue
        </button>
      </form>
    </section>
  );
}
