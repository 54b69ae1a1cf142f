// One event in the console: its sale (publish, open, pause, close, cancel), its details and
// sale times, price tiers, fees, promo and presale codes, and the waiting room.
import { useState } from 'preact/hooks';
import type { EventStatus } from '../../../src/catalog/schema.ts';
import type { Chart } from '../../../src/domain/chart.ts';
import {
  cancelEvent,
  dashboard,
  type EventRecord,
  eventRecord,
  type OperatorStats,
  setEventStatus,
  setPriceTiers,
  setWaitingRoom,
  updateEvent,
  venueChart,
} from '../../sdk/operator.ts';
import { http } from '../lib/api.ts';
import { CodesPanel } from './CodesPanel.tsx';
import { EventTabs } from './ConsoleRoutes.tsx';
import { FeesPanel } from './FeesPanel.tsx';
import { fromLocalInput, when } from './format.ts';
import { PriceInputs, type PriceTexts, textsFrom, tiersFrom } from './PriceInputs.tsx';
import { SaleTimes } from './SaleTimes.tsx';
import { cancellable, STATUS_TEXT, saleActions } from './sale-actions.ts';
import { ErrorNote, Field, Notice, useAction, useLoad } from './ui.tsx';

export function EventPage({ id }: { id: string }) {
  const ev = useLoad(() => eventRecord(http(), id), [id]);
  if (ev.error && !ev.data)
    return (
      <section>
        <h1>Event</h1>
        <ErrorNote error={ev.error} />
      </section>
    );
  if (!ev.data) return <p role="status">Loading the event…</p>;
  const e = ev.data;
  return (
    <section>
      <h1>{e.name}</h1>
      <p>
        <span class={`badge status-${e.status}`}>{STATUS_TEXT[e.status]}</span> {e.venue.name}, {e.venue.city}{' '}
        · starts {when(e.startsAt)} · {e.capacity.toLocaleString()} places
      </p>
      <EventTabs id={id} current="event" />
      <SalePanel event={e} onChange={ev.reload} />
      <DetailsPanel event={e} onChange={ev.reload} />
      <TiersPanel event={e} onChange={ev.reload} />
      {e.status === 'draft' ? (
        <section class="panel" aria-labelledby="later-h">
          <h2 id="later-h">Fees, codes and the waiting room</h2>
          <p>These are set on the running event: publish it first (it stays off sale until you open it).</p>
        </section>
      ) : (
        <>
          <FeesPanel eventId={id} />
          <CodesPanel eventId={id} />
          <WaitingRoomPanel event={e} />
        </>
      )}
    </section>
  );
}

function SalePanel({ event, onChange }: { event: EventRecord; onChange: () => void }) {
  const action = useAction();
  const [reason, setReason] = useState('');
  const move = (to: EventStatus, confirmText?: string) => {
    if (confirmText && !confirm(confirmText)) return;
    action.run(async () => {
      const e = await setEventStatus(http(), event.id, to);
      onChange();
      return `Now ${STATUS_TEXT[e.status].toLowerCase()}.`;
    });
  };
  const cancel = (e: SubmitEvent) => {
    e.preventDefault();
    if (!confirm(`Cancel ${event.name}? Every paid order is refunded.`)) return;
    action.run(async () => {
      const r = await cancelEvent(http(), event.id, reason.trim());
      onChange();
      return `Cancelled; ${r.refunded} orders refunded.`;
    });
  };
  const actions = saleActions(event.status);
  return (
    <section class="panel" aria-labelledby="sale-h">
      <h2 id="sale-h">Sale</h2>
      <p>
        Status: <strong>{STATUS_TEXT[event.status]}</strong>
        {event.sale && <> · the seat map's sale is {event.sale}</>}
        {event.seats && (
          <>
            {' '}
            · {event.seats.available.toLocaleString()} available, {event.seats.booked.toLocaleString()} sold
          </>
        )}
      </p>
      {actions.length > 0 ? (
        <div class="row">
          {actions.map((a) => (
            <button type="button" key={a.to} disabled={action.busy} onClick={() => move(a.to, a.confirm)}>
              {a.label}
            </button>
          ))}
        </div>
      ) : (
        <p class="muted">This event's sale is over.</p>
      )}
      <ErrorNote error={action.error} />
      <Notice text={action.done} />
      {cancellable(event.status) && (
        <details>
          <summary>Cancel the event</summary>
          <form class="stack" onSubmit={cancel}>
            <Field id="cancel-reason" label="Reason, told to the buyers with their refund">
              <input
                id="cancel-reason"
                required
                maxLength={500}
                value={reason}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
            </Field>
            <button type="submit" class="danger" disabled={action.busy || reason.trim() === ''}>
              Cancel the event and refund every order
            </button>
          </form>
        </details>
      )}
    </section>
  );
}

function DetailsPanel({ event, onChange }: { event: EventRecord; onChange: () => void }) {
  const action = useAction();
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    action.run(async () => {
      const startsAt = fromLocalInput(String(f.get('startsAt')));
      if (!startsAt) throw new Error('Give the start date and time.');
      await updateEvent(http(), event.id, {
        name: String(f.get('name')).trim(),
        description: String(f.get('description')),
        category: String(f.get('category')).trim(),
        startsAt,
        presaleAt: fromLocalInput(String(f.get('presaleAt'))),
        onSaleAt: fromLocalInput(String(f.get('onSaleAt'))),
      });
      onChange();
      return 'Saved.';
    });
  };
  return (
    <section class="panel" aria-labelledby="details-h">
      <h2 id="details-h">Details and sale times</h2>
      <form class="stack" onSubmit={submit}>
        <div class="row">
          <Field id="ed-name" label="Name">
            <input id="ed-name" name="name" required maxLength={200} defaultValue={event.name} />
          </Field>
          <Field id="ed-category" label="Category">
            <input
              id="ed-category"
              name="category"
              required
              pattern="[a-z][a-z0-9\-]{0,31}"
              defaultValue={event.category}
            />
          </Field>
        </div>
        <Field id="ed-description" label="Description">
          <textarea id="ed-description" name="description" rows={3} maxLength={5000}>
            {event.description}
          </textarea>
        </Field>
        <SaleTimes idPrefix="ed" initial={event} />
        <ErrorNote error={action.error} />
        <Notice text={action.done} />
        <button type="submit" disabled={action.busy}>
          Save details
        </button>
      </form>
    </section>
  );
}

function TiersPanel({ event, onChange }: { event: EventRecord; onChange: () => void }) {
  const chart = useLoad(async () => (await venueChart(http(), event.venue.id)) as Chart, [event.venue.id]);
  const [texts, setTexts] = useState<PriceTexts>(() =>
    textsFrom(Object.fromEntries(event.priceTiers.map((t) => [t.category, t.price]))),
  );
  const action = useAction();
  const save = (e: SubmitEvent) => {
    e.preventDefault();
    action.run(async () => {
      const tiers = tiersFrom(texts);
      if (!tiers.ok) throw new Error(tiers.error);
      await setPriceTiers(http(), event.id, tiers.tiers);
      onChange();
      return 'Prices saved.';
    });
  };
  return (
    <section class="panel" aria-labelledby="tiers-h">
      <h2 id="tiers-h">Price tiers</h2>
      <p class="hint">Face prices per category of the chart; an empty one is not on sale.</p>
      <ErrorNote error={chart.error} />
      {chart.data && (
        <form class="stack" onSubmit={save}>
          <PriceInputs
            idPrefix="tiers"
            categories={chart.data.categories}
            value={texts}
            onChange={setTexts}
          />
          <ErrorNote error={action.error} />
          <Notice text={action.done} />
          <button type="submit" disabled={action.busy}>
            Save prices
          </button>
        </form>
      )}
    </section>
  );
}

function WaitingRoomPanel({ event }: { event: EventRecord }) {
  const loaded = useLoad(async () => (await dashboard(http(), event.id)).queue, [event.id]);
  const [applied, setApplied] = useState<OperatorStats['queue']>(null);
  const action = useAction();
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    action.run(async () => {
      const rate = Number(f.get('rate'));
      if (!Number.isFinite(rate) || rate < 0)
        throw new Error('The rate is fans admitted per second, 0 or more.');
      const r = await setWaitingRoom(http(), event.id, { enabled: f.get('enabled') === 'on', rate });
      setApplied(r);
      return r.enabled ? `On, admitting ${r.rate} fans a second.` : 'Off: fans go straight to the seats.';
    });
  };
  const q = applied ?? loaded.data;
  return (
    <section class="panel" aria-labelledby="room-h">
      <h2 id="room-h">Waiting room</h2>
      {q && (
        <p>
          {q.enabled ? 'On' : 'Off'} · {q.waiting.toLocaleString()} waiting · admitting {q.effectiveRate} a
          second (of {q.rate})
        </p>
      )}
      {/* The form waits for the room's current setting: defaults shown first would be sent back. */}
      {applied || !loaded.loading ? (
        <form class="row" onSubmit={submit} key={q ? `${q.enabled}-${q.rate}` : 'none'}>
          <div class="field checkbox">
            <input id="room-enabled" name="enabled" type="checkbox" defaultChecked={q?.enabled ?? false} />
            <label for="room-enabled">Waiting room on</label>
          </div>
          <Field id="room-rate" label="Admission rate (fans per second)">
            <input
              id="room-rate"
              name="rate"
              type="number"
              min={0}
              max={100000}
              step="any"
              required
              defaultValue={String(q?.rate ?? 50)}
            />
          </Field>
          <button type="submit" disabled={action.busy}>
            Apply
          </button>
        </form>
      ) : (
        <p role="status">Reading the waiting room…</p>
      )}
      <ErrorNote error={action.error ?? loaded.error} />
      <Notice text={action.done} />
    </section>
  );
}
