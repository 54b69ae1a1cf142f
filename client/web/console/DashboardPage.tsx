// The live dashboard of one event: seats sold, held and available, sales per minute and
// revenue, the waiting room, hold and journal-commit latency, updated about once a second
// over the socket (`osub`, docs/protocol.md); the first figures come over HTTP.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { dashboard, eventRecord, type OperatorStats, watchDashboard } from '../../sdk/operator.ts';
import { errorMessage, http, socket } from '../lib/api.ts';
import { EventTabs } from './ConsoleRoutes.tsx';
import { money, ms } from './format.ts';
import { addStats, emptyLive, type Live, perMinute } from './series.ts';
import { TimeChart } from './TimeChart.tsx';
import { ErrorNote, useLoad } from './ui.tsx';

type Link = 'connecting' | 'live' | 'retrying';

/** Stats from the socket, reconnecting after a drop; the HTTP figures until the first arrives. */
function useStats(eventId: string) {
  const [stats, setStats] = useState<OperatorStats | null>(null);
  const [live, setLive] = useState<Live>(emptyLive);
  const [link, setLink] = useState<Link>('connecting');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    let stop: (() => void) | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const take = (s: OperatorStats) => {
      if (stopped) return;
      setStats(s);
      setLive((l) => addStats(l, s));
    };
    dashboard(http(), eventId).then(take, (e) => setError(errorMessage(e)));
    const open = async () => {
      try {
        const sock = await socket();
        if (stopped) return;
        sock.onError = (e) => setError(e.message || e.code);
        stop = watchDashboard(sock, eventId, (s) => {
          setLink('live');
          setError(null);
          take(s);
        });
        await sock.whenClosed();
      } catch {
        // the socket could not open: retried below
      }
      if (stopped) return;
      stop = null;
      setLink('retrying');
      retry = setTimeout(open, 2000);
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      stop?.();
    };
  }, [eventId]);
  return { stats, live, link, error };
}

function Tile({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <div class="tile">
      <dt>{label}</dt>
      <dd>
        <span class="tile-value">{value}</span>
        {sub && <span class="tile-sub">{sub}</span>}
      </dd>
    </div>
  );
}

export function DashboardPage({ id }: { id: string }) {
  const ev = useLoad(() => eventRecord(http(), id), [id]);
  const { stats: s, live, link, error } = useStats(id);
  const minutes = useMemo(() => (s ? perMinute(s.sales.byMinute, s.at) : null), [s]);
  const n = (v: number) => v.toLocaleString();
  const currency = s?.sales.currency ?? null;
  const lastMinute = minutes && minutes.tickets.length > 0 ? minutes.tickets[minutes.tickets.length - 1] : 0;
  return (
    <section>
      <h1>{ev.data ? `${ev.data.name}: live` : 'Live dashboard'}</h1>
      <EventTabs id={id} current="dashboard" />
      <p class="muted" role="status">
        {link === 'live'
          ? 'Live: updated every second.'
          : link === 'retrying'
            ? 'Reconnecting…'
            : 'Connecting…'}
      </p>
      <ErrorNote error={error ?? ev.error} />
      {s && (
        <>
          <h2>Seats</h2>
          <dl class="tiles">
            <Tile label="Sold" value={n(s.seats.booked)} />
            <Tile label="Held" value={n(s.seats.held)} />
            <Tile label="Available" value={n(s.seats.available)} />
            <Tile label="Blocked" value={n(s.seats.blocked)} />
            {s.areas.map((a) => (
              <Tile
                key={a.id}
                label={a.name}
                value={n(a.available)}
                sub={`of ${n(a.capacity)} standing left`}
              />
            ))}
            <Tile label="Sale" value={s.sale} />
          </dl>
          <h2>Sales</h2>
          <dl class="tiles">
            <Tile
              label="Revenue"
              value={money(s.sales.revenue, currency)}
              sub={`refunded ${money(s.sales.refunded, currency)}`}
            />
            <Tile label="Orders" value={n(s.sales.orders)} />
            <Tile label="Tickets" value={n(s.sales.tickets)} />
            <Tile label="Tickets this minute" value={n(lastMinute)} />
          </dl>
          <h2>Waiting room and latency</h2>
          <dl class="tiles">
            <Tile label="Waiting room" value={s.queue?.enabled ? 'On' : 'Off'} />
            <Tile label="Queue length" value={n(s.queue?.waiting ?? 0)} />
            <Tile
              label="Admission rate"
              value={s.queue?.enabled ? `${s.queue.effectiveRate}/s` : '—'}
              sub={s.queue?.enabled ? `set to ${s.queue.rate}/s` : 'the room is off'}
            />
            <Tile
              label="Hold latency p99"
              value={ms(s.holdMs.p99)}
              sub={`p50 ${ms(s.holdMs.p50)}, ${s.holdMs.count} in 10 s`}
            />
            <Tile
              label="Journal commit p99"
              value={ms(s.commitMs.p99)}
              sub={`p50 ${ms(s.commitMs.p50)}, ${s.commitMs.count} in 10 s`}
            />
          </dl>
          <div class="charts">
            {minutes && (
              <>
                <TimeChart
                  title="Tickets sold per minute"
                  series={[{ label: 'Tickets', stroke: '#0a58ca', bars: true }]}
                  data={[minutes.t, minutes.tickets]}
                />
                <TimeChart
                  title={`Revenue so far (${currency ?? 'EUR'})`}
                  series={[{ label: 'Revenue', stroke: '#1a7f37' }]}
                  data={[minutes.t, minutes.cumulative]}
                />
              </>
            )}
            <TimeChart
              title="Seats sold and held, last 2 minutes"
              series={[
                { label: 'Sold', stroke: '#8250df' },
                { label: 'Held', stroke: '#bc4c00' },
              ]}
              data={[live.t, live.booked, live.held]}
              windowSeconds={120}
            />
            <TimeChart
              title="Latency p99 (ms), last 2 minutes"
              series={[
                { label: 'Hold', stroke: '#cf222e' },
                { label: 'Commit', stroke: '#0598bc' },
              ]}
              data={[live.t, live.holdP99, live.commitP99]}
              windowSeconds={120}
            />
          </div>
        </>
      )}
    </section>
  );
}
