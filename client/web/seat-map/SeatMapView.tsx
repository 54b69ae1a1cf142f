import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SeatMap, SeatMapChange } from '../../sdk/index.ts';
import { type Chart, type ChartModel, chartModel } from './chart-model.ts';
import { areaAt as areaAtWorld, sectionAt as sectionAtWorld } from './hit-test.ts';
import { buildPalette, type Palette, type PriceTier } from './palette.ts';
import { SeatRenderer, type Theme } from './renderer.ts';
import { SeatLegend } from './SeatLegend.tsx';
import { describeSeat, type SeatInfo, seatInfo } from './seat-info.ts';
import { initStats, recordFrame, type SeatMapStats } from './stats.ts';
import {
  clampView,
  fitView,
  panBy,
  toScreenX,
  toScreenY,
  toWorldX,
  toWorldY,
  type View,
  zoomAt,
  zoomLimits,
  zoomTo,
} from './viewport.ts';
import './seat-map.css';

/** Runs `fn` in the frame after the next one: by then the browser has shown what was drawn. */
function afterNextFrame(fn: () => void): void {
  requestAnimationFrame(() => requestAnimationFrame(fn));
}

/** A standing area as the map reports a click on it. */
export interface AreaInfo {
  index: number;
  id: string;
  name: string;
  capacity: number;
  available: number;
  price: number | null;
}

export interface SeatMapViewProps {
  /** The event's chart, as GET /api/events/:id/chart returns it (`chart`). */
  chart: Chart;
  /**
   * The live statuses: an SDK SeatMap (OnsaleSocket.subscribe keeps it current). Null while
   * it is on its way: the venue is drawn, the seats once it comes.
   */
  map: SeatMap | null;
  /** The event's priceTiers (GET /api/events/:id): colours and prices by category. */
  priceTiers: PriceTier[];
  /** ISO 4217 code for prices (default EUR). */
  currency?: string;
  /** Seat ids this fan holds: drawn as "held by you". */
  mine?: ReadonlySet<string>;
  /** Seat ids picked but not held yet: drawn as selected. */
  selected?: ReadonlySet<string>;
  /** A click, tap or Enter on a seat (any status: the caller decides what it means). */
  onSeatClick?: (seat: SeatInfo) => void;
  /** A click on a standing area. */
  onAreaClick?: (area: AreaInfo) => void;
  /** The map's accessible name. */
  label?: string;
  /** performance.now() when the map's snapshot arrived, for the first-paint figure. */
  snapshotAt?: number;
  /** Called once the map has painted its first snapshot, with the figures so far. */
  onReady?: (stats: SeatMapStats) => void;
}

const ZOOM_STEP = 1.5;
const KEY_PAN = 80;

function readTheme(el: Element): Theme {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    background: v('--bg', '#ffffff'),
    sectionFill: v('--panel', '#f6f8fa'),
    sectionLine: v('--line', '#d0d7de'),
    text: v('--fg', '#1b1f24'),
    halo: v('--bg', '#ffffff'),
    stage: v('--fg', '#1b1f24'),
    stageText: v('--bg', '#ffffff'),
    focus: v('--focus', '#bf3989'),
  };
}

function idsToIndices(model: ChartModel, ids: ReadonlySet<string> | undefined): number[] {
  const out: number[] = [];
  for (const id of ids ?? []) {
    const i = model.seatIndex.get(id);
    if (i !== undefined) out.push(i);
  }
  return out;
}

/**
 * The live seat map: canvas layers with pan and zoom (wheel, drag, pinch, buttons, keys),
 * sections labelled when zoomed out and seats drawn one by one when zoomed in, tooltips, a
 * price legend. Needs nothing around it but its props (the console reuses it).
 */
export function SeatMapView(props: SeatMapViewProps) {
  const { chart, map, priceTiers, currency } = props;
  const model = useMemo(() => chartModel(chart), [chart]);
  // Bumped when the system switches between light and dark: the selection's colour is the text's.
  const [scheme, setScheme] = useState(0);
  const palette = useMemo<Palette>(() => {
    const fg = getComputedStyle(document.documentElement).getPropertyValue('--fg').trim();
    return buildPalette(model.categories, priceTiers, /^#[0-9a-f]{6}$/i.test(fg) ? { selected: fg } : {});
  }, [model, priceTiers, scheme]);
  const wrap = useRef<HTMLDivElement>(null);
  const base = useRef<HTMLCanvasElement>(null);
  const seats = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const renderer = useRef<SeatRenderer | null>(null);
  const stats = useRef<SeatMapStats>(initStats(model.seatCount));
  const frame = useRef(0);
  const propsRef = useRef(props);
  propsRef.current = props;
  const [tip, setTip] = useState<{ x: number; y: number; text: string } | null>(null);
  const [announce, setAnnounce] = useState('');
  const [mode, setMode] = useState<'overview' | 'detail'>('overview');
  // Several maps may share a page (the console): their ids must differ.
  const keysId = `seat-map-keys-${useId()}`;

  const requestDraw = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const r = renderer.current;
      if (!r) return;
      const t0 = performance.now();
      r.drawAll();
      if (stats.current.flushForTiming) r.flush();
      recordFrame(stats.current, performance.now() - t0, r, t0);
      setMode(r.mode);
    });
  };
  const setView = (next: View) => {
    const r = renderer.current;
    if (!r) return;
    r.view = next;
    // What the tooltip said was about the old view.
    setTip(null);
    if (r.setHover(-1)) r.drawOverlay();
    requestDraw();
  };
  const limits = () => {
    const r = renderer.current!;
    return zoomLimits(model.bounds, r.view.width, r.view.height, model.pitch);
  };

  // The renderer lives as long as the chart: made (and the venue drawn) before the seats'
  // statuses arrive, so the snapshot costs only its own paint.
  useLayoutEffect(() => {
    const el = wrap.current!;
    const theme = readTheme(el);
    const rect = el.getBoundingClientRect();
    const view = fitView(model.bounds, Math.max(1, rect.width), Math.max(1, rect.height));
    const r = new SeatRenderer(
      { base: base.current!, seats: seats.current!, overlay: overlay.current! },
      model,
      palette,
      theme,
      view,
    );
    renderer.current = r;
    const s = initStats(model.seatCount);
    stats.current = s;
    (globalThis as { __seatMapStats?: SeatMapStats }).__seatMapStats = s;
    s.seatPoint = (id: string) => {
      const i = model.seatIndex.get(id);
      if (i === undefined) return null;
      return { x: toScreenX(r.view, model.x[i]), y: toScreenY(r.view, model.y[i]) };
    };
    s.view = () => ({ ...r.view, mode: r.mode, seatRadius: model.pitch * r.view.k * 0.4 });
    r.resize(view.width, view.height, devicePixelRatio || 1);
    r.setMarks(idsToIndices(model, propsRef.current.mine), idsToIndices(model, propsRef.current.selected));
    r.drawAll();

    const ro = new ResizeObserver(() => {
      const b = el.getBoundingClientRect();
      if (b.width < 1 || b.height < 1) return;
      const first = r.view.width <= 1 || r.view.height <= 1;
      r.resize(b.width, b.height, devicePixelRatio || 1);
      if (first) r.view = fitView(model.bounds, b.width, b.height);
      else r.view = clampView(r.view, model.bounds, zoomLimits(model.bounds, b.width, b.height, model.pitch));
      const t0 = performance.now();
      r.drawAll();
      recordFrame(s, performance.now() - t0, r);
    });
    ro.observe(el);
    // The page's colours follow the system's light or dark setting, and the map with them.
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const recolour = () => {
      r.setTheme(readTheme(el));
      r.drawAll();
      setScheme((n) => n + 1);
    };
    scheme.addEventListener('change', recolour);
    return () => {
      scheme.removeEventListener('change', recolour);
      ro.disconnect();
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = 0;
      renderer.current = null;
    };
  }, [model]);

  // The SeatMap's snapshot paints every seat; each delta only the seats it changed.
  useLayoutEffect(() => {
    const r = renderer.current;
    if (!r || !map) return;
    const s = stats.current;
    const paintSnapshot = () => {
      const t0 = performance.now();
      r.setStatus(map.status, map.areas);
      r.drawAll();
      const t1 = performance.now();
      s.snapshots++;
      if (s.firstPaintMs === null) {
        const from = propsRef.current.snapshotAt ?? t0;
        s.firstPaintMs = t1 - from;
        s.firstPaintDrawMs = t1 - t0;
        performance.mark('seatmap:first-paint');
        // The frame after the one the layers were drawn for: the paint is on screen by then.
        afterNextFrame(() => {
          s.firstFrameMs = performance.now() - from;
        });
        propsRef.current.onReady?.(s);
      }
      setMode(r.mode);
    };
    if (map.version >= 0) paintSnapshot();
    return map.onChange((change: SeatMapChange) => {
      if (change.kind === 'snapshot') {
        paintSnapshot();
        return;
      }
      const t0 = performance.now();
      const fullBefore = r.stats.fullRepaints;
      if (change.seats.length > 0) r.drawSeatChanges(change.seats.map((c) => c.seat));
      if (change.areas.length > 0) {
        r.setAreas(map.areas);
        r.drawOverlay();
      }
      if (s.flushForTiming) r.flush();
      const ms = performance.now() - t0;
      s.deltas++;
      s.lastDelta = {
        version: change.to,
        seats: change.seats.length,
        areas: change.areas.length,
        drawMs: ms,
        repaintedAll: r.stats.fullRepaints !== fullBefore,
        redrawnSeats: r.stats.lastPartialSeats,
      };
      s.deltaDrawMs.push(ms);
      if (s.deltaDrawMs.length > 500) s.deltaDrawMs.shift();
      afterNextFrame(() => {
        s.deltaFrameMs.push(performance.now() - t0);
        if (s.deltaFrameMs.length > 500) s.deltaFrameMs.shift();
      });
      s.fullRepaints = r.stats.fullRepaints;
      s.partialRepaints = r.stats.partialRepaints;
    });
  }, [model, map]);

  useEffect(() => {
    renderer.current?.setPalette(palette);
    renderer.current?.drawAll();
  }, [palette]);

  // Held and selected seats: only the seats whose marks changed are drawn again.
  useEffect(() => {
    const r = renderer.current;
    if (!r) return;
    const changed = r.setMarks(idsToIndices(model, props.mine), idsToIndices(model, props.selected));
    if (changed.length > 0) r.drawSeatChanges(changed);
  }, [props.mine, props.selected, model]);

  // ---- pointer: drag pans, two fingers pinch, a click without a drag picks
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const drag = useRef<{ moved: number; pinch: number | null }>({ moved: 0, pinch: null });

  const local = (e: { clientX: number; clientY: number }) => {
    const b = wrap.current!.getBoundingClientRect();
    return { x: e.clientX - b.left, y: e.clientY - b.top };
  };

  const seatAt = (x: number, y: number): number => {
    const r = renderer.current!;
    const v = r.view;
    const radius = Math.max(model.pitch * 0.6, 6 / v.k);
    return r.seatNear(toWorldX(v, x), toWorldY(v, y), radius);
  };
  const areaAt = (x: number, y: number): number => {
    const v = renderer.current!.view;
    return areaAtWorld(model, toWorldX(v, x), toWorldY(v, y));
  };
  const sectionAt = (x: number, y: number): number => {
    const v = renderer.current!.view;
    return sectionAtWorld(model, toWorldX(v, x), toWorldY(v, y));
  };

  const statusNow = () => map?.status ?? new Uint8Array(0);
  const info = (i: number) =>
    seatInfo(model, palette, statusNow(), i, propsRef.current.mine?.has(model.seatIds[i]) ?? false);

  const areaInfo = (i: number): AreaInfo => {
    const a = model.areas[i];
    const p = palette.categoryPrice[a.category];
    return {
      index: i,
      id: a.id,
      name: a.name,
      capacity: a.capacity,
      available: map?.areas[i] ?? 0,
      price: p >= 0 ? p : null,
    };
  };

  const activate = (x: number, y: number) => {
    const r = renderer.current;
    if (!r) return;
    const area = areaAt(x, y);
    if (area >= 0) {
      propsRef.current.onAreaClick?.(areaInfo(area));
      return;
    }
    if (r.mode === 'overview') {
      // Zoomed out, a click goes into the section under it.
      const s = sectionAt(x, y);
      if (s >= 0) setView(zoomTo(r.view, model.sections[s].bounds, model.bounds, limits()));
      return;
    }
    // Before the statuses come a seat's status is unknown: nothing to pick yet.
    if (!map || map.version < 0) return;
    const seat = seatAt(x, y);
    if (seat >= 0) propsRef.current.onSeatClick?.(info(seat));
  };

  const onPointerDown = (e: PointerEvent) => {
    try {
      (e.currentTarget as Element).setPointerCapture(e.pointerId);
    } catch {
      // A pointer the browser does not know (a synthetic event) is followed without capture.
    }
    pointers.current.set(e.pointerId, local(e));
    drag.current = { moved: 0, pinch: null };
    if (pointers.current.size === 2) {
      const [a, b] = [...pointers.current.values()];
      drag.current.pinch = Math.hypot(a.x - b.x, a.y - b.y);
    }
  };
  const onPointerMove = (e: PointerEvent) => {
    const r = renderer.current;
    if (!r) return;
    const p = local(e);
    const prev = pointers.current.get(e.pointerId);
    if (!prev) {
      hoverAt(p.x, p.y);
      return;
    }
    pointers.current.set(e.pointerId, p);
    if (pointers.current.size >= 2 && drag.current.pinch) {
      const [a, b] = [...pointers.current.values()];
      const d = Math.hypot(a.x - b.x, a.y - b.y);
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      setView(zoomAt(r.view, mid.x, mid.y, d / drag.current.pinch, model.bounds, limits()));
      drag.current.pinch = d;
      drag.current.moved += 10;
      return;
    }
    const dx = p.x - prev.x;
    const dy = p.y - prev.y;
    drag.current.moved += Math.abs(dx) + Math.abs(dy);
    if (drag.current.moved > 4) {
      setTip(null);
      setView(panBy(r.view, dx, dy, model.bounds, limits()));
    }
  };
  const onPointerUp = (e: PointerEvent) => {
    const had = pointers.current.delete(e.pointerId);
    if (had && pointers.current.size === 0 && drag.current.moved <= 4) {
      const p = local(e);
      activate(p.x, p.y);
    }
  };

  const hoverAt = (x: number, y: number) => {
    const r = renderer.current;
    if (!r || !map || map.version < 0) return;
    let text = '';
    const area = areaAt(x, y);
    let seat = -1;
    if (area >= 0) {
      const a = areaInfo(area);
      text = `${a.name}: standing, ${a.available.toLocaleString('en')} of ${a.capacity.toLocaleString('en')} places left`;
    } else if (r.mode === 'detail') {
      seat = seatAt(x, y);
      if (seat >= 0) text = describeSeat(info(seat), currency);
    } else {
      const s = sectionAt(x, y);
      if (s >= 0) text = `${model.sections[s].name}: click to zoom in`;
    }
    if (r.setHover(seat)) r.drawOverlay();
    setTip(text ? { x, y, text } : null);
  };

  const onWheel = (e: WheelEvent) => {
    const r = renderer.current;
    if (!r) return;
    e.preventDefault();
    const p = local(e);
    // Pixel deltas from a touchpad are small and many; a mouse notch is about 100.
    const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0025));
    setView(zoomAt(r.view, p.x, p.y, factor, model.bounds, limits()));
  };
  // Preact's onWheel is passive in some browsers; the map needs preventDefault.
  useEffect(() => {
    const el = wrap.current!;
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  });

  const zoomBy = (f: number) => {
    const r = renderer.current;
    if (!r) return;
    setView(zoomAt(r.view, r.view.width / 2, r.view.height / 2, f, model.bounds, limits()));
  };
  const reset = () => {
    const r = renderer.current;
    if (!r) return;
    setView(fitView(model.bounds, r.view.width, r.view.height));
  };

  // Keyboard: arrows pan, + and - zoom, 0 resets; zoomed in, the seat nearest the middle is
  // focused (ringed and announced) and Enter or Space picks it.
  const focusCentre = () => {
    const r = renderer.current;
    if (!r || !map || map.version < 0) return;
    if (r.mode !== 'detail') {
      if (r.setFocused(-1)) r.drawOverlay();
      setAnnounce('Zoom in to choose a seat: press plus.');
      return;
    }
    const v = r.view;
    const seat = r.seatNear(v.cx, v.cy, Math.max(v.width, v.height) / v.k);
    if (r.setFocused(seat)) r.drawOverlay();
    setAnnounce(
      seat >= 0 ? describeSeat(info(seat), currency) : 'No seats in view here: move with the arrow keys.',
    );
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const r = renderer.current;
    if (!r) return;
    const v = r.view;
    let next: View | null = null;
    switch (e.key) {
      case 'ArrowLeft':
        next = panBy(v, KEY_PAN, 0, model.bounds, limits());
        break;
      case 'ArrowRight':
        next = panBy(v, -KEY_PAN, 0, model.bounds, limits());
        break;
      case 'ArrowUp':
        next = panBy(v, 0, KEY_PAN, model.bounds, limits());
        break;
      case 'ArrowDown':
        next = panBy(v, 0, -KEY_PAN, model.bounds, limits());
        break;
      case '+':
      case '=':
        next = zoomAt(v, v.width / 2, v.height / 2, ZOOM_STEP, model.bounds, limits());
        break;
      case '-':
      case '_':
        next = zoomAt(v, v.width / 2, v.height / 2, 1 / ZOOM_STEP, model.bounds, limits());
        break;
      case '0':
        next = fitView(model.bounds, v.width, v.height);
        break;
      case 'Enter':
      case ' ': {
        e.preventDefault();
        const f = r.focusedSeat;
        if (r.mode === 'detail' && f >= 0) propsRef.current.onSeatClick?.(info(f));
        else activate(v.width / 2, v.height / 2);
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    r.view = next;
    requestDraw();
    focusCentre();
  };

  return (
    <div class="seat-map">
      <div
        ref={wrap}
        class="seat-map-canvas"
        role="application"
        aria-roledescription="seat map"
        aria-label={props.label ?? `Seat map of ${chart.name}`}
        aria-describedby={keysId}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: role=application: one focusable widget with its own keys
        tabIndex={0}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={(e) => pointers.current.delete(e.pointerId)}
        onPointerLeave={() => {
          setTip(null);
          if (renderer.current?.setHover(-1)) renderer.current.drawOverlay();
        }}
        onKeyDown={onKeyDown}
        onFocus={focusCentre}
        data-mode={mode}
      >
        <canvas ref={base} />
        <canvas ref={seats} data-layer="seats" />
        <canvas ref={overlay} />
        {tip && (
          <div class="seat-map-tip" role="tooltip" style={{ left: `${tip.x}px`, top: `${tip.y}px` }}>
            {tip.text}
          </div>
        )}
      </div>
      <div class="seat-map-zoom">
        <button type="button" onClick={() => zoomBy(ZOOM_STEP)} aria-label="Zoom in" title="Zoom in">
          +
        </button>
        <button type="button" onClick={() => zoomBy(1 / ZOOM_STEP)} aria-label="Zoom out" title="Zoom out">
          −
        </button>
        <button type="button" onClick={reset} aria-label="Show the whole venue" title="Show the whole venue">
          ⤢
        </button>
      </div>
      <p id={keysId} class="visually-hidden">
        Arrow keys move the map, plus and minus zoom, 0 shows the whole venue. Zoomed in, Enter picks the seat
        in the middle. The seat list below offers the same seats.
      </p>
      <p class="visually-hidden" aria-live="polite">
        {announce}
      </p>
      <SeatLegend palette={palette} currency={currency} />
    </div>
  );
}
