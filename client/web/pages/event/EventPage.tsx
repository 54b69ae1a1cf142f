// The event page (/events/:id): the event, its prices, the live seat map from the socket,
// picking seats (on the map, from the list, or the best N in a tier), the fan's holds with
// their countdowns, and the way on to checkout. A waiting room sends the fan to /queue/:id.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type EventDetail, getChart, getEvent } from '../../../sdk/event-detail.ts';
import { ApiError, type MyHold, type SeatMap } from '../../../sdk/index.ts';
import { pricing } from '../../../sdk/operator.ts';
import { errorMessage, http, socket } from '../../lib/api.ts';
import { Link, navigate } from '../../lib/navigation.tsx';
import { href } from '../../lib/routes.ts';
import { useSession } from '../../lib/session.ts';
import { type AreaInfo, type Chart, chartModel, type SeatInfo, SeatMapView } from '../../seat-map/index.ts';
import { buildPalette, STATUS } from '../../seat-map/palette.ts';
import { accessTokenFor, forgetAccess } from './access.ts';
import { EventHeader } from './EventHeader.tsx';
import { HoldPanel } from './HoldPanel.tsx';
import { SeatList } from './SeatList.tsx';
import { pruneSelection, toggleSeat } from './selection.ts';
import './event-page.css';

interface Loaded {
  event: EventDetail;
  chart: Chart;
  currency: string;
}

type Load =
  | { state: 'loading' }
  | { state: 'ready'; data: Loaded }
  | { state: 'missing' }
  | { state: 'failed'; message: string };

export function EventPage({ id }: { id: string }) {
  const session = useSession();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [live, setLive] = useState<{ map: SeatMap; at: number } | null>(null);
  const [liveError, setLiveError] = useState<string | null>(null);
  const [version, setVersion] = useState(-1);
  const [holds, setHolds] = useState<MyHold[]>([]);
  const [selection, setSelection] = useState<ReadonlySet<string>>(new Set());
  const [area, setArea] = useState<AreaInfo | null>(null);
  const [notice, setNotice] = useState('');
  const [access, setAccess] = useState<string | undefined>(undefined);

  // The record, the chart and the currency over HTTP while the socket brings the snapshot.
  useEffect(() => {
    let gone = false;
    setLoad({ state: 'loading' });
    Promise.all([
      getEvent(http(), id),
      getChart<Chart>(http(), id).then((c) => {
        performance.mark('event:chart-loaded');
        return c;
      }),
      pricing(http(), id).then(
        (p) => p.currency,
        () => 'EUR',
      ),
    ]).then(
      ([event, chart, currency]) => {
        if (!gone) setLoad({ state: 'ready', data: { event, chart, currency } });
      },
      (e) => {
        if (gone) return;
        if (e instanceof ApiError && (e.status === 404 || e.code === 'EVENT_NOT_FOUND'))
          setLoad({ state: 'missing' });
        else setLoad({ state: 'failed', message: errorMessage(e) });
      },
    );
    return () => {
      gone = true;
    };
  }, [id]);

  // The live map: subscribed on the shared socket (reopened when the session changes).
  useEffect(() => {
    let gone = false;
    let off = () => {};
    setLive(null);
    setLiveError(null);
    socket()
      .then(async (sock) => {
        const map = await sock.subscribe(id);
        const at = performance.now();
        performance.mark('seatmap:snapshot');
        if (gone) return;
        setLive({ map, at });
        setVersion(map.version);
        off = map.onChange(() => setVersion(map.version));
        sock.whenClosed().then(() => {
          if (!gone) setLiveError('The live connection closed. Reload the page to see seats change again.');
        });
      })
      .catch((e) => {
        if (!gone) setLiveError(`No live seat map: ${errorMessage(e)}`);
      });
    return () => {
      gone = true;
      off();
      socket()
        .then((s) => s.unsubscribe(id))
        .catch(() => {});
    };
  }, [id, session?.token]);

  // The fan's holds on this event.
  const refreshHolds = () => {
    if (!session) {
      setHolds([]);
      return Promise.resolve();
    }
    return http()
      .holds()
      .then((r) => setHolds(r.holds.filter((h) => h.eventId === id)))
      .catch(() => {});
  };
  useEffect(() => {
    refreshHolds();
  }, [id, session?.token]);

  // A waiting room that is on, for a fan not admitted, sends them to the queue. Asked only
  // while the sale is open (a room admits nobody otherwise): for an event without a room the
  // answer is a 409, which the browser's console shows like any failed request.
  const saleOpen =
    load.state === 'ready' && (load.data.event.sale === 'open' || load.data.event.sale === 'presale');
  useEffect(() => {
    if (!session || !saleOpen) return;
    let gone = false;
    accessTokenFor(http(), id).then((a) => {
      if (gone) return;
      if (a.state === 'queue') navigate(href.queue(id), { replace: true });
      else setAccess(a.state === 'admitted' ? a.token : undefined);
    });
    return () => {
      gone = true;
    };
  }, [id, session?.token, saleOpen]);

  const ready = load.state === 'ready' ? load.data : null;
  const model = useMemo(() => (ready ? chartModel(ready.chart) : null), [ready?.chart]);
  const palette = useMemo(
    () => (ready && model ? buildPalette(model.categories, ready.event.priceTiers) : null),
    [model, ready?.event.priceTiers],
  );
  const mine = useMemo(() => new Set(holds.flatMap((h) => h.seats)), [holds]);

  // A picked seat someone else took is dropped, and the fan is told which.
  useEffect(() => {
    if (!live || !model || selection.size === 0) return;
    const { selection: next, lost } = pruneSelection(selection, model, live.map.status);
    if (lost.length === 0) return;
    setSelection(next);
    setNotice(
      `${lost.length === 1 ? 'A seat you picked was' : `${lost.length} seats you picked were`} just taken.`,
    );
  }, [version]);

  if (load.state === 'missing') {
    return (
      <section class="event-missing">
        <h1>Event not found</h1>
        <p>
          There is no event <code>{id}</code>. It may have been removed, or the link is mistyped.
        </p>
        <p>
          <Link href="/">Find events</Link>
        </p>
      </section>
    );
  }
  if (load.state === 'failed') {
    return (
      <section>
        <h1>This event could not be loaded</h1>
        <p class="error" role="alert">
          {load.message}
        </p>
      </section>
    );
  }
  if (!ready || !model || !palette) {
    return (
      <section aria-busy="true">
        <h1>Loading the event…</h1>
      </section>
    );
  }

  const pick = (seat: SeatInfo) => {
    setNotice('');
    if (mine.has(seat.id)) {
      setNotice(`${seat.section}, row ${seat.row}, seat ${seat.number} is already held by you.`);
      return;
    }
    if (seat.status === STATUS.resale) {
      setNotice(
        `${seat.section}, row ${seat.row}, seat ${seat.number} is offered for resale: see the resale offers at checkout.`,
      );
      return;
    }
    if (!seat.pickable && !selection.has(seat.id)) {
      setNotice(`${seat.section}, row ${seat.row}, seat ${seat.number} is ${seat.statusText}.`);
      return;
    }
    const r = toggleSeat(selection, seat.id);
    if (r.ok) setSelection(r.selection);
    else setNotice(r.reason);
  };

  return (
    <div class="event-page">
      <EventHeader event={ready.event} currency={ready.currency} />
      <div class="event-layout">
        <section class="event-map" aria-label="Seat map">
          {liveError && (
            <p class="error" role="alert">
              {liveError}
            </p>
          )}
          {!live && !liveError && (
            <p class="map-status" aria-busy="true">
              Connecting to the live seat map…
            </p>
          )}
          <SeatMapView
            chart={ready.chart}
            map={live?.map ?? null}
            priceTiers={ready.event.priceTiers}
            currency={ready.currency}
            mine={mine}
            selected={selection}
            snapshotAt={live?.at}
            onSeatClick={pick}
            onAreaClick={setArea}
            label={`Seat map of ${ready.event.venue.name}`}
          />
        </section>
        <HoldPanel
          eventId={id}
          event={ready.event}
          currency={ready.currency}
          model={model}
          palette={palette}
          map={live?.map ?? null}
          signedIn={session !== null}
          selection={selection}
          setSelection={setSelection}
          holds={holds}
          refreshHolds={refreshHolds}
          area={area}
          clearArea={() => setArea(null)}
          accessToken={access}
          notice={notice}
          setNotice={setNotice}
          onAccessRequired={() => {
            forgetAccess(id);
            navigate(href.queue(id));
          }}
        />
      </div>
      {live && (
        <SeatList
          model={model}
          palette={palette}
          map={live.map}
          version={version}
          currency={ready.currency}
          selection={selection}
          mine={mine}
          onPick={pick}
          onArea={setArea}
        />
      )}
    </div>
  );
}
