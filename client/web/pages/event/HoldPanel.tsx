import { useEffect, useRef, useState } from 'preact/hooks';
import type { EventDetail } from '../../../sdk/event-detail.ts';
import { ApiError, type HoldRequest, type MyHold, type SeatMap } from '../../../sdk/index.ts';
import { errorMessage, socket } from '../../lib/api.ts';
import { Link } from '../../lib/navigation.tsx';
import type { ChartModel } from '../../seat-map/chart-model.ts';
import type { AreaInfo } from '../../seat-map/index.ts';
import { formatPrice, type Palette } from '../../seat-map/palette.ts';
import { seatInfo, seatName } from '../../seat-map/seat-info.ts';
import { formatRemaining, isUrgent, spokenRemaining } from './countdown.ts';
import { selectionTotal } from './selection.ts';

// The side panel: what the fan picked, the best-N finder, a standing area's places, and the
// fan's holds with their countdowns (extend, release), then on to checkout.

const EXTEND_SECONDS = 300;

export interface HoldPanelProps {
  eventId: string;
  event: EventDetail;
  currency: string;
  model: ChartModel;
  palette: Palette;
  map: SeatMap | null;
  signedIn: boolean;
  selection: ReadonlySet<string>;
  setSelection: (s: ReadonlySet<string>) => void;
  holds: MyHold[];
  refreshHolds: () => Promise<void>;
  area: AreaInfo | null;
  clearArea: () => void;
  accessToken?: string;
  notice: string;
  setNotice: (s: string) => void;
  onAccessRequired: () => void;
}

const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

export function HoldPanel(p: HoldPanelProps) {
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(Date.now());
  const [bestCount, setBestCount] = useState(2);
  const [bestTier, setBestTier] = useState('');
  const [gaCount, setGaCount] = useState(2);
  const gaInput = useRef<HTMLInputElement>(null);
  // A standing area chosen (on the map or in the list): the keyboard goes to its places.
  useEffect(() => {
    if (p.area) gaInput.current?.focus();
  }, [p.area]);

  // The countdowns tick while there are holds; an expired hold is dropped from the list.
  useEffect(() => {
    if (p.holds.length === 0) return;
    const t = setInterval(() => {
      const n = Date.now();
      setNow(n);
      if (p.holds.some((h) => h.expiresAt <= n)) p.refreshHolds();
    }, 1000);
    return () => clearInterval(t);
  }, [p.holds]);

  /** Runs one hold request; true when it succeeded (the failure is told in the notice). */
  const run = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    p.setNotice('');
    try {
      await fn();
      await p.refreshHolds();
      p.setNotice(what);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'ACCESS_REQUIRED') p.onAccessRequired();
      else p.setNotice(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const hold = (req: Omit<HoldRequest, 'eventId'>, done: string) =>
    run(done, async () => {
      const s = await socket();
      await s.hold({ eventId: p.eventId, ...req }, { key: newKey(), accessToken: p.accessToken });
    });

  const status = p.map?.status ?? new Uint8Array(p.model.seatCount);
  const picked = [...p.selection]
    .map((id) => p.model.seatIndex.get(id))
    .filter((i): i is number => i !== undefined)
    .map((i) => seatInfo(p.model, p.palette, status, i, false));
  const total = selectionTotal(p.selection, p.model, p.palette.categoryPrice);
  const saleOpen = p.event.sale === 'open' || p.event.sale === 'presale';
  const signIn = (
    <p>
      <Link
        href={`/signin?next=${encodeURIComponent(`/events/${encodeURIComponent(p.eventId)}`)}`}
        class="button"
      >
        Sign in to hold seats
      </Link>
    </p>
  );

  return (
    <aside class="hold-panel" aria-label="Your seats">
      <p class="notice" role="status">
        {p.notice}
      </p>
      {!saleOpen && <p class="hint">The sale is not open: seats cannot be held now.</p>}

      <section aria-labelledby="picked-h">
        <h2 id="picked-h">Picked seats</h2>
        {picked.length === 0 ? (
          <p class="hint">Click seats on the map (zoom in first) or use the seat list below the map.</p>
        ) : (
          <>
            <ul class="seat-lines">
              {picked.map((s) => (
                <li key={s.id}>
                  <span>
                    {seatName(s)} · {s.price === null ? 'not on sale' : formatPrice(s.price, p.currency)}
                  </span>
                  <button
                    type="button"
                    class="link-button"
                    aria-label={`Remove ${seatName(s)}`}
                    onClick={() => {
                      const next = new Set(p.selection);
                      next.delete(s.id);
                      p.setSelection(next);
                    }}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
            <p>
              Total <strong>{formatPrice(total, p.currency)}</strong>
            </p>
            {p.signedIn ? (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  hold(
                    { seats: [...p.selection] },
                    `Held ${p.selection.size} seat${p.selection.size === 1 ? '' : 's'}.`,
                  ).then((ok) => ok && p.setSelection(new Set()))
                }
              >
                Hold {picked.length} seat{picked.length === 1 ? '' : 's'}
              </button>
            ) : (
              signIn
            )}
          </>
        )}
      </section>

      <section aria-labelledby="best-h">
        <h2 id="best-h">Best available</h2>
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (!p.signedIn) return;
            hold(
              { best: { count: bestCount, filter: bestTier ? { categories: [bestTier] } : undefined } },
              `Held the best ${bestCount} seats we could find.`,
            );
          }}
        >
          <label class="field">
            Seats
            <select value={bestCount} onChange={(e) => setBestCount(Number(e.currentTarget.value))}>
              {[1, 2, 3, 4, 5, 6, 7, 8].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            Price
            <select value={bestTier} onChange={(e) => setBestTier(e.currentTarget.value)}>
              <option value="">Any price</option>
              {p.event.priceTiers.map((t) => (
                <option key={t.category} value={t.category}>
                  {t.name} · {formatPrice(t.price, p.currency)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy || !p.signedIn}>
            Find seats
          </button>
        </form>
        {!p.signedIn && signIn}
      </section>

      {p.area && (
        <section aria-labelledby="ga-h">
          <h2 id="ga-h">{p.area.name}</h2>
          <p>
            Standing · {p.area.price === null ? 'not on sale' : formatPrice(p.area.price, p.currency)} ·{' '}
            {(p.map?.areas[p.area.index] ?? p.area.available).toLocaleString('en')} places left
          </p>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (!p.signedIn || !p.area) return;
              hold({ ga: { area: p.area.id, count: gaCount } }, `Held ${gaCount} places in ${p.area.name}.`);
            }}
          >
            <label class="field">
              Places
              <input
                ref={gaInput}
                type="number"
                min={1}
                max={10}
                value={gaCount}
                onInput={(e) => setGaCount(Math.max(1, Math.min(10, Number(e.currentTarget.value) || 1)))}
              />
            </label>
            <button type="submit" disabled={busy || !p.signedIn}>
              Hold places
            </button>
            <button type="button" class="secondary" onClick={p.clearArea}>
              Close
            </button>
          </form>
        </section>
      )}

      <section aria-labelledby="holds-h">
        <h2 id="holds-h">Your holds</h2>
        {p.holds.length === 0 ? (
          <p class="hint">{p.signedIn ? 'Nothing held yet.' : 'Sign in to hold seats.'}</p>
        ) : (
          <>
            <ul class="holds">
              {p.holds.map((h) => (
                <li key={h.holdId} class={isUrgent(h.expiresAt, now) ? 'urgent' : undefined}>
                  <p>
                    {h.seats.length > 0
                      ? h.seats
                          .map((id) => p.model.seatIndex.get(id))
                          .filter((i): i is number => i !== undefined)
                          .map((i) => seatName(seatInfo(p.model, p.palette, status, i, true)))
                          .join('; ')
                      : `${h.places} standing place${h.places === 1 ? '' : 's'}`}
                  </p>
                  <p>
                    <span class="countdown" aria-hidden="true">
                      {formatRemaining(h.expiresAt, now)}
                    </span>
                    <span class="visually-hidden">{spokenRemaining(h.expiresAt, now)}</span> left to pay
                  </p>
                  <div class="row">
                    <button
                      type="button"
                      class="secondary"
                      disabled={busy}
                      onClick={() =>
                        run('Hold extended.', async () => (await socket()).extend(h.holdId, EXTEND_SECONDS))
                      }
                    >
                      Extend 5 min
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      disabled={busy}
                      onClick={() => run('Hold released.', async () => (await socket()).release(h.holdId))}
                    >
                      Release
                    </button>
                  </div>
                </li>
              ))}
            </ul>
            <p>
              <Link href={`/checkout?event=${encodeURIComponent(p.eventId)}`} class="button">
                Go to checkout
              </Link>
            </p>
          </>
        )}
      </section>
      <p class="hint">
        Seats drawn as resale are sold by other fans:{' '}
        <Link href={`/checkout?event=${encodeURIComponent(p.eventId)}`}>see the resale offers</Link>.
      </p>
    </aside>
  );
}
