// The box office of one event: sell seats to a walk-up customer (picked on the live seat
// map or typed), show or print their tickets, find orders and refund them, block and release
// seats, and read a seat's history.
import { useEffect, useState } from 'preact/hooks';
import type { Chart } from '../../../../src/domain/chart.ts';
import type { SeatMap } from '../../../sdk/index.ts';
import { eventRecord } from '../../../sdk/operator.ts';
import { errorMessage, http, socket } from '../../lib/api.ts';
import { SeatMapView } from '../../seat-map/index.ts';
import { EventTabs } from '../ConsoleRoutes.tsx';
import { ErrorNote, useLoad } from '../ui.tsx';
import { OrdersPanel } from './OrdersPanel.tsx';
import { SeatToolsPanel } from './SeatToolsPanel.tsx';
import { SellPanel } from './SellPanel.tsx';
import { toggle } from './selection.ts';

/** The event's live seat map over the socket, unsubscribed when the page goes. */
function useSeatMap(eventId: string) {
  const [map, setMap] = useState<SeatMap | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let gone = false;
    socket()
      .then((s) => s.subscribe(eventId))
      .then(
        (m) => !gone && setMap(m),
        (e) => !gone && setError(errorMessage(e)),
      );
    return () => {
      gone = true;
      socket()
        .then((s) => s.unsubscribe(eventId))
        .catch(() => {});
    };
  }, [eventId]);
  return { map, error };
}

export function BoxOfficePage({ id }: { id: string }) {
  const ev = useLoad(() => eventRecord(http(), id), [id]);
  const chart = useLoad(async () => (await http().chart(id)).chart as Chart, [id]);
  const live = useSeatMap(id);
  const [selected, setSelected] = useState<string[]>([]);
  const [mine, setMine] = useState<string[]>([]);

  return (
    <section>
      <h1>{ev.data ? `${ev.data.name}: box office` : 'Box office'}</h1>
      <EventTabs id={id} current="box-office" />
      <ErrorNote error={ev.error ?? chart.error ?? live.error} />
      <div class="box-office">
        <div class="box-office-map">
          {chart.data && live.map && ev.data ? (
            <SeatMapView
              chart={chart.data}
              map={live.map}
              priceTiers={ev.data.priceTiers}
              selected={new Set(selected)}
              mine={new Set(mine)}
              label="Seat map: choose seats for the customer"
              onSeatClick={(seat) => setSelected((s) => toggle(s, seat.id))}
            />
          ) : (
            !chart.error && <p role="status">Loading the seat map…</p>
          )}
        </div>
        <div class="box-office-side">
          {ev.data && (
            <SellPanel event={ev.data} selected={selected} onSelected={setSelected} onHeld={setMine} />
          )}
        </div>
      </div>
      <OrdersPanel eventId={id} />
      <SeatToolsPanel eventId={id} selected={selected} onSelected={setSelected} />
    </section>
  );
}
