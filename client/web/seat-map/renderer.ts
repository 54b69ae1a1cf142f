/// <reference lib="dom" />
import type { ChartModel, Rect } from './chart-model.ts';
import { type Palette, seatPaint } from './palette.ts';
import { buildGrid, forEachInRect, nearestSeat, type SeatGrid } from './spatial-grid.ts';
import { toScreenX, toScreenY, type View, visibleRect } from './viewport.ts';

// Draws the map on three stacked canvases. The base layer holds what never changes with
// seat state (section shapes, the stage); the seat layer holds the seats; the overlay holds
// labels, standing areas with their places left, and the hover and focus rings.
//
// Level of detail: zoomed out, seats come from an atlas, an offscreen bitmap of the whole
// chart with one small cell per seat, drawn in one drawImage; zoomed in, the visible seats
// (found through a grid) are drawn one by one as circles. A delta repaints only the changed
// seats: their atlas cells (putImageData of their rectangle), then, on screen, the union of
// their cells as one clip, inside which the atlas or the seats under it are drawn again.

export type Mode = 'overview' | 'detail';

export interface Layers {
  base: HTMLCanvasElement;
  seats: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
}

export interface Theme {
  background: string;
  sectionFill: string;
  sectionLine: string;
  text: string;
  halo: string;
  stage: string;
  stageText: string;
  focus: string;
}

export interface DrawStats {
  fullRepaints: number;
  partialRepaints: number;
  /** Seats drawn again by the last partial repaint (the changed ones and their neighbours). */
  lastPartialSeats: number;
}

/** Seats this many CSS pixels apart, or more, are drawn one by one. */
export const DETAIL_PITCH_PX = 7;
/** Above this many changed seats a delta repaints the layer (cheaper than as many clips). */
const PARTIAL_LIMIT = 4000;
const ATLAS_MAX = 2048;

export class SeatRenderer {
  view: View;
  private dpr = 1;
  private readonly grid: SeatGrid;
  private readonly paints: Uint8Array;
  private status: Uint8Array;
  private areasLeft: number[] = [];
  private mine: Uint8Array;
  private selected: Uint8Array;
  /** Statuses have come (a snapshot): until then the seat layer stays empty. */
  private ready = false;
  /** Each seat's cell in the atlas: the index of its top-left pixel. */
  private readonly atlasAt: Uint32Array;
  private hover = -1;
  private focused = -1;
  private readonly atlas: HTMLCanvasElement;
  private readonly atlasCtx: CanvasRenderingContext2D;
  private readonly atlasImage: ImageData;
  private readonly atlasPixels: Uint32Array;
  private readonly atlasK: number;
  private readonly atlasCell: number;
  readonly stats: DrawStats = { fullRepaints: 0, partialRepaints: 0, lastPartialSeats: 0 };

  constructor(
    private readonly layers: Layers,
    readonly model: ChartModel,
    private palette: Palette,
    private theme: Theme,
    view: View,
  ) {
    this.view = view;
    const b = model.bounds;
    this.grid = buildGrid(model.x, model.y, b, Math.max(model.pitch * 4, 1e-6));
    this.paints = new Uint8Array(model.seatCount);
    this.status = new Uint8Array(model.seatCount);
    this.mine = new Uint8Array(model.seatCount);
    this.selected = new Uint8Array(model.seatCount);
    // Four atlas pixels per seat pitch, unless that would pass ATLAS_MAX.
    const w = b.maxX - b.minX;
    const h = b.maxY - b.minY;
    this.atlasK = Math.min(4 / model.pitch, ATLAS_MAX / w, ATLAS_MAX / h);
    // Cells as wide as the pitch, so seats along a row touch: zoomed out, sections read as colour.
    this.atlasCell = Math.max(1, Math.round(model.pitch * this.atlasK));
    this.atlas = document.createElement('canvas');
    this.atlas.width = Math.max(1, Math.ceil(w * this.atlasK));
    this.atlas.height = Math.max(1, Math.ceil(h * this.atlasK));
    this.atlasCtx = this.atlas.getContext('2d')!;
    this.atlasImage = this.atlasCtx.createImageData(this.atlas.width, this.atlas.height);
    this.atlasPixels = new Uint32Array(this.atlasImage.data.buffer);
    this.atlasAt = new Uint32Array(model.seatCount);
    const c = this.atlasCell;
    for (let i = 0; i < model.seatCount; i++) {
      const ax = Math.min(
        this.atlas.width - c,
        Math.max(0, Math.round((model.x[i] - b.minX) * this.atlasK - c / 2)),
      );
      const ay = Math.min(
        this.atlas.height - c,
        Math.max(0, Math.round((model.y[i] - b.minY) * this.atlasK - c / 2)),
      );
      this.atlasAt[i] = ay * this.atlas.width + ax;
    }
  }

  get mode(): Mode {
    return this.model.pitch * this.view.k >= DETAIL_PITCH_PX ? 'detail' : 'overview';
  }

  /** Sizes the canvases for a CSS size and device pixel ratio; the caller draws next. */
  resize(width: number, height: number, dpr: number): void {
    this.dpr = dpr;
    this.view = { ...this.view, width, height };
    for (const c of [this.layers.base, this.layers.seats, this.layers.overlay]) {
      c.width = Math.max(1, Math.round(width * dpr));
      c.height = Math.max(1, Math.round(height * dpr));
    }
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
    if (this.ready) this.setStatus(this.status, this.areasLeft);
  }

  /** A whole new state (a snapshot): every paint and the atlas recomputed. */
  setStatus(status: Uint8Array, areas: number[]): void {
    this.ready = true;
    this.status = status;
    this.areasLeft = areas;
    const { model, palette, paints } = this;
    for (let i = 0; i < model.seatCount; i++) {
      paints[i] = seatPaint(
        palette,
        status[i],
        model.category[i],
        this.mine[i] === 1,
        this.selected[i] === 1,
      );
    }
    this.atlasPixels.fill(0);
    for (let i = 0; i < model.seatCount; i++) this.paintAtlasCell(i);
    this.atlasCtx.putImageData(this.atlasImage, 0, 0);
  }

  /** Marks the fan's held seats and the selection; returns the seats whose paint changed. */
  setMarks(mine: Iterable<number>, selected: Iterable<number>): number[] {
    const nextMine = new Uint8Array(this.model.seatCount);
    const nextSel = new Uint8Array(this.model.seatCount);
    for (const s of mine) if (s >= 0 && s < nextMine.length) nextMine[s] = 1;
    for (const s of selected) if (s >= 0 && s < nextSel.length) nextSel[s] = 1;
    const changed: number[] = [];
    for (let i = 0; i < nextMine.length; i++) {
      if (nextMine[i] !== this.mine[i] || nextSel[i] !== this.selected[i]) changed.push(i);
    }
    this.mine = nextMine;
    this.selected = nextSel;
    return changed;
  }

  setAreas(areas: number[]): void {
    this.areasLeft = areas;
  }

  setHover(seat: number): boolean {
    if (seat === this.hover) return false;
    this.hover = seat;
    return true;
  }

  setFocused(seat: number): boolean {
    if (seat === this.focused) return false;
    this.focused = seat;
    return true;
  }

  get focusedSeat(): number {
    return this.focused;
  }

  /** The seat nearest the world point (x, y) within `radius`, or -1. */
  seatNear(x: number, y: number, radius: number): number {
    return nearestSeat(this.grid, this.model.x, this.model.y, x, y, radius);
  }

  paintOf(seat: number): number {
    return this.paints[seat];
  }

  /** Makes the browser rasterise what was drawn now (a one-pixel read per layer), for timing. */
  flush(): void {
    for (const c of [this.layers.base, this.layers.seats, this.layers.overlay])
      c.getContext('2d')!.getImageData(0, 0, 1, 1);
  }

  /** Draws every layer for the current view. */
  drawAll(): void {
    this.stats.fullRepaints++;
    this.drawBase();
    this.drawSeats();
    this.drawOverlay();
  }

  /**
   * Repaints the given seats (whose status or marks changed) and nothing else of the seat
   * layer; returns false when there were so many that the whole layer was drawn instead.
   */
  drawSeatChanges(seats: number[]): boolean {
    if (!this.ready) return true;
    const { model, palette, paints } = this;
    const changed: number[] = [];
    let aMinX = Infinity;
    let aMinY = Infinity;
    let aMaxX = -Infinity;
    let aMaxY = -Infinity;
    for (const s of seats) {
      const p = seatPaint(
        palette,
        this.status[s],
        model.category[s],
        this.mine[s] === 1,
        this.selected[s] === 1,
      );
      if (p === paints[s]) continue;
      paints[s] = p;
      const [ax, ay] = this.paintAtlasCell(s);
      aMinX = Math.min(aMinX, ax);
      aMinY = Math.min(aMinY, ay);
      aMaxX = Math.max(aMaxX, ax + this.atlasCell);
      aMaxY = Math.max(aMaxY, ay + this.atlasCell);
      changed.push(s);
    }
    if (changed.length === 0) return true;
    this.atlasCtx.putImageData(this.atlasImage, 0, 0, aMinX, aMinY, aMaxX - aMinX, aMaxY - aMinY);
    if (changed.length > PARTIAL_LIMIT) {
      this.stats.fullRepaints++;
      this.drawSeats();
      return false;
    }
    this.stats.partialRepaints++;
    const ctx = this.layers.seats.getContext('2d')!;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.save();
    ctx.beginPath();
    const v = this.view;
    const r = this.cellRadius() + 1.5;
    const dirty: Rect[] = [];
    for (const s of changed) {
      const sx = toScreenX(v, model.x[s]);
      const sy = toScreenY(v, model.y[s]);
      if (sx < -r || sy < -r || sx > v.width + r || sy > v.height + r) continue;
      ctx.rect(sx - r, sy - r, 2 * r, 2 * r);
      dirty.push({
        minX: model.x[s] - r / v.k,
        maxX: model.x[s] + r / v.k,
        minY: model.y[s] - r / v.k,
        maxY: model.y[s] + r / v.k,
      });
    }
    ctx.clip();
    ctx.clearRect(0, 0, v.width, v.height);
    if (this.mode === 'overview') {
      this.blitAtlas(ctx);
      this.stats.lastPartialSeats = changed.length;
    } else {
      // The changed seats and whichever neighbours reach into their cells.
      const redraw = new Set<number>();
      for (const d of dirty) this.eachSeatNear(d, (s) => redraw.add(s));
      this.drawSeatList(ctx, redraw);
      this.stats.lastPartialSeats = redraw.size;
    }
    ctx.restore();
    return true;
  }

  drawOverlay(): void {
    const ctx = this.layers.overlay.getContext('2d')!;
    const { view: v, model, theme } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, v.width, v.height);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    const detail = this.mode === 'detail';
    // Section labels: where the section is wide enough on screen, and clear of the labels
    // already placed (a greedy pass: 90 sections cost nothing).
    const size = detail ? 15 : 11;
    ctx.font = `600 ${size}px system-ui, sans-serif`;
    const placed: Rect[] = [];
    for (const s of model.sections) {
      const w = (s.bounds.maxX - s.bounds.minX) * v.k;
      const label = detail ? s.name : s.id;
      const half = (label.length * size * 0.62) / 2;
      if (w < half * 2) continue;
      const x = toScreenX(v, detail ? s.nameX : s.labelX);
      const y = toScreenY(v, detail ? s.nameY : s.labelY);
      if (x < -50 || y < -20 || x > v.width + 50 || y > v.height + 20) continue;
      const box = { minX: x - half - 2, maxX: x + half + 2, minY: y - size / 2 - 1, maxY: y + size / 2 + 1 };
      if (
        placed.some((b) => b.minX < box.maxX && b.maxX > box.minX && b.minY < box.maxY && b.maxY > box.minY)
      )
        continue;
      placed.push(box);
      this.haloText(ctx, label, x, y);
    }
    if (detail) this.drawRowLabels(ctx);
    this.drawAreas(ctx);
    // Rings: the seat under the pointer and the one the keyboard is on.
    const ring = (seat: number, colour: string, width: number) => {
      if (seat < 0) return;
      const r = Math.max(this.cellRadius() + 2, 5);
      ctx.beginPath();
      ctx.arc(toScreenX(v, model.x[seat]), toScreenY(v, model.y[seat]), r, 0, Math.PI * 2);
      ctx.lineWidth = width;
      ctx.strokeStyle = colour;
      ctx.stroke();
    };
    ring(this.hover, theme.text, 2);
    ring(this.focused, theme.focus, 3);
  }

  // ---- drawing helpers

  private cellRadius(): number {
    return this.model.pitch * this.view.k * 0.4;
  }

  private paintAtlasCell(seat: number): [number, number] {
    const c = this.atlasCell;
    const w = this.atlas.width;
    const at = this.atlasAt[seat];
    const colour = this.palette.rgba[this.paints[seat]];
    for (let dy = 0; dy < c; dy++) this.atlasPixels.fill(colour, at + dy * w, at + dy * w + c);
    return [at % w, Math.floor(at / w)];
  }

  private drawBase(): void {
    const ctx = this.layers.base.getContext('2d')!;
    const { view: v, model, theme } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, v.width, v.height);
    const pad = Math.max(model.pitch * 0.6 * v.k, 1.5);
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    ctx.fillStyle = theme.sectionFill;
    ctx.strokeStyle = theme.sectionFill;
    ctx.lineWidth = pad * 2;
    const seen = visibleRect(v);
    for (const s of model.sections) {
      const b = s.bounds;
      if (b.maxX < seen.minX || b.minX > seen.maxX || b.maxY < seen.minY || b.minY > seen.maxY) continue;
      const o = s.outline;
      if (o.length < 2) continue;
      ctx.beginPath();
      ctx.moveTo(toScreenX(v, o[0]), toScreenY(v, o[1]));
      for (let i = 2; i < o.length; i += 2) ctx.lineTo(toScreenX(v, o[i]), toScreenY(v, o[i + 1]));
      ctx.closePath();
      // A fat stroke in the fill colour widens the outline by half a seat around its seats.
      ctx.fill();
      ctx.stroke();
    }
    const st = model.stage;
    const x0 = toScreenX(v, st.minX);
    const y0 = toScreenY(v, st.minY);
    const w = (st.maxX - st.minX) * v.k;
    const h = (st.maxY - st.minY) * v.k;
    ctx.fillStyle = theme.stage;
    ctx.beginPath();
    ctx.roundRect(x0, y0, w, h, Math.min(8, h / 4));
    ctx.fill();
    const fs = Math.min(28, Math.max(9, h * 0.45));
    if (w > fs * 3) {
      ctx.font = `700 ${fs}px system-ui, sans-serif`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = theme.stageText;
      ctx.fillText('STAGE', x0 + w / 2, y0 + h / 2);
    }
  }

  private drawSeats(): void {
    const ctx = this.layers.seats.getContext('2d')!;
    const v = this.view;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, v.width, v.height);
    if (!this.ready) return;
    if (this.mode === 'overview') {
      this.blitAtlas(ctx);
      return;
    }
    const visible: number[] = [];
    this.eachSeatNear(visibleRect(v), (s) => visible.push(s));
    this.drawSeatList(ctx, visible);
  }

  /** Every seat within a pitch of the world rectangle `r` (seats reach half a pitch beyond their centre). */
  private eachSeatNear(r: Rect, fn: (seat: number) => void): void {
    const m = this.model.pitch;
    forEachInRect(this.grid, { minX: r.minX - m, minY: r.minY - m, maxX: r.maxX + m, maxY: r.maxY + m }, fn);
  }

  private blitAtlas(ctx: CanvasRenderingContext2D): void {
    const v = this.view;
    const b = this.model.bounds;
    const scale = v.k / this.atlasK;
    // Smoothing averages cells when shrinking; growing, cells stay crisp squares.
    ctx.imageSmoothingEnabled = scale < 1;
    ctx.imageSmoothingQuality = 'medium';
    ctx.drawImage(
      this.atlas,
      toScreenX(v, b.minX),
      toScreenY(v, b.minY),
      this.atlas.width * scale,
      this.atlas.height * scale,
    );
  }

  /** Seats as circles (squares when tiny), one path per paint. */
  private drawSeatList(ctx: CanvasRenderingContext2D, seats: Iterable<number>): void {
    const { model, view: v, paints, palette } = this;
    const r = this.cellRadius();
    const buckets: number[][] = palette.colours.map(() => []);
    for (const s of seats) buckets[paints[s]].push(s);
    const round = r >= 4.5;
    buckets.forEach((list, paint) => {
      if (list.length === 0) return;
      ctx.fillStyle = palette.colours[paint];
      ctx.beginPath();
      for (const s of list) {
        const x = toScreenX(v, model.x[s]);
        const y = toScreenY(v, model.y[s]);
        if (round) {
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, Math.PI * 2);
        } else ctx.rect(x - r, y - r, 2 * r, 2 * r);
      }
      ctx.fill();
    });
    // Seat numbers once they fit; marks for wheelchair places and restricted views.
    if (r >= 9) {
      ctx.font = `600 ${Math.round(r * 0.9)}px system-ui, sans-serif`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      for (const s of seats) {
        const p = paints[s];
        ctx.fillStyle =
          p === palette.fixed.heldByMe || p === palette.fixed.notForSale || p === palette.fixed.heldByOthers
            ? '#000'
            : '#fff';
        const f = model.flags[s];
        const label = f & 1 ? '♿' : model.seatNumbers[s];
        ctx.fillText(label, toScreenX(v, model.x[s]), toScreenY(v, model.y[s]) + 0.5);
      }
    }
  }

  private drawRowLabels(ctx: CanvasRenderingContext2D): void {
    const { model, view: v } = this;
    const rowPx = model.pitch * v.k;
    if (rowPx < 9) return;
    ctx.font = `600 ${Math.min(13, Math.round(rowPx * 0.8))}px system-ui, sans-serif`;
    const seen = visibleRect(v);
    for (const row of model.rows) {
      if (row.end === row.first) continue;
      const a = row.first;
      if (
        model.x[a] < seen.minX - 2 ||
        model.x[a] > seen.maxX + 2 ||
        model.y[a] < seen.minY - 2 ||
        model.y[a] > seen.maxY + 2
      )
        continue;
      // Put the label one pitch beyond the row's first seat, away from the second.
      const next = row.end - row.first > 1 ? a + 1 : a;
      let dx = model.x[a] - model.x[next];
      let dy = model.y[a] - model.y[next];
      const len = Math.hypot(dx, dy) || 1;
      dx /= len;
      dy /= len;
      this.haloText(
        ctx,
        row.label,
        toScreenX(v, model.x[a] + dx * model.pitch * 1.3),
        toScreenY(v, model.y[a] + dy * model.pitch * 1.3),
      );
    }
  }

  private drawAreas(ctx: CanvasRenderingContext2D): void {
    const { model, view: v, palette } = this;
    model.areas.forEach((a, i) => {
      const left = this.areasLeft[i] ?? 0;
      const x = toScreenX(v, a.x - a.half);
      const y = toScreenY(v, a.y - a.half);
      const s = a.half * 2 * v.k;
      if (x > v.width || y > v.height || x + s < 0 || y + s < 0) return;
      const paint = left > 0 ? palette.categoryPaint[a.category] : palette.fixed.sold;
      ctx.globalAlpha = 0.85;
      ctx.fillStyle = palette.colours[paint];
      ctx.beginPath();
      ctx.roundRect(x, y, s, s, Math.min(10, s / 8));
      ctx.fill();
      ctx.globalAlpha = 1;
      if (s < 22) return;
      const count = left.toLocaleString('en');
      ctx.fillStyle = '#fff';
      if (s < 70) {
        // Small: the places left only (the tooltip and the seat list name the area).
        ctx.font = `700 ${Math.max(9, Math.min(12, s / 3.2))}px system-ui, sans-serif`;
        ctx.fillText(left > 0 ? count : 'full', x + s / 2, y + s / 2);
        return;
      }
      const fs = Math.min(18, Math.max(9, s / 7));
      ctx.font = `700 ${fs}px system-ui, sans-serif`;
      ctx.fillText(a.name, x + s / 2, y + s / 2 - fs * 0.7);
      ctx.font = `500 ${fs * 0.85}px system-ui, sans-serif`;
      ctx.fillText(left > 0 ? `${count} places left` : 'sold out', x + s / 2, y + s / 2 + fs * 0.7);
    });
  }

  private haloText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number): void {
    ctx.lineWidth = 3;
    ctx.strokeStyle = this.theme.halo;
    ctx.strokeText(text, x, y);
    ctx.fillStyle = this.theme.text;
    ctx.fillText(text, x, y);
  }
}
