import type { Rect } from './chart-model.ts';

// Pan and zoom as plain numbers: the world point at the middle of the canvas and the scale
// in CSS pixels per world unit. Pure, so every gesture's arithmetic is tested without a DOM.

export interface View {
  cx: number;
  cy: number;
  /** CSS pixels per world unit. */
  k: number;
  width: number;
  height: number;
}

export interface ZoomLimits {
  min: number;
  max: number;
}

/** The view that shows all of `bounds` in a width × height canvas. */
export function fitView(bounds: Rect, width: number, height: number): View {
  const w = Math.max(1e-9, bounds.maxX - bounds.minX);
  const h = Math.max(1e-9, bounds.maxY - bounds.minY);
  return {
    cx: (bounds.minX + bounds.maxX) / 2,
    cy: (bounds.minY + bounds.maxY) / 2,
    k: Math.max(1e-9, Math.min(width / w, height / h)),
    width,
    height,
  };
}

/** From fitting everything to seats `maxSeatPx` CSS pixels apart. */
export function zoomLimits(
  bounds: Rect,
  width: number,
  height: number,
  pitch: number,
  maxSeatPx = 90,
): ZoomLimits {
  const fit = fitView(bounds, width, height).k;
  return { min: fit * 0.8, max: Math.max(fit * 2, maxSeatPx / pitch) };
}

export const toScreenX = (v: View, x: number) => (x - v.cx) * v.k + v.width / 2;
export const toScreenY = (v: View, y: number) => (y - v.cy) * v.k + v.height / 2;
export const toWorldX = (v: View, sx: number) => (sx - v.width / 2) / v.k + v.cx;
export const toWorldY = (v: View, sy: number) => (sy - v.height / 2) / v.k + v.cy;

/** Keeps the middle of the view inside `bounds`, so the chart can never be panned away. */
export function clampView(v: View, bounds: Rect, limits: ZoomLimits): View {
  const k = Math.min(limits.max, Math.max(limits.min, v.k));
  return {
    ...v,
    k,
    cx: Math.min(bounds.maxX, Math.max(bounds.minX, v.cx)),
    cy: Math.min(bounds.maxY, Math.max(bounds.minY, v.cy)),
  };
}

/** Zooms by `factor` about the screen point (sx, sy), which stays over the same world point. */
export function zoomAt(
  v: View,
  sx: number,
  sy: number,
  factor: number,
  bounds: Rect,
  limits: ZoomLimits,
): View {
  const k = Math.min(limits.max, Math.max(limits.min, v.k * factor));
  const wx = toWorldX(v, sx);
  const wy = toWorldY(v, sy);
  const next = { ...v, k };
  next.cx = wx - (sx - v.width / 2) / k;
  next.cy = wy - (sy - v.height / 2) / k;
  return clampView(next, bounds, limits);
}

/** Moves the content by (dx, dy) CSS pixels, as a drag does. */
export function panBy(v: View, dx: number, dy: number, bounds: Rect, limits: ZoomLimits): View {
  return clampView({ ...v, cx: v.cx - dx / v.k, cy: v.cy - dy / v.k }, bounds, limits);
}

/** Zooms so `target` fills most of the view (a click on a section at low zoom). */
export function zoomTo(v: View, target: Rect, bounds: Rect, limits: ZoomLimits, fill = 0.85): View {
  const fitted = fitView(target, v.width * fill, v.height * fill);
  return clampView({ ...v, cx: fitted.cx, cy: fitted.cy, k: fitted.k }, bounds, limits);
}

/** The world rectangle the view shows. */
export function visibleRect(v: View): Rect {
  return {
    minX: toWorldX(v, 0),
    minY: toWorldY(v, 0),
    maxX: toWorldX(v, v.width),
    maxY: toWorldY(v, v.height),
  };
}

export const intersects = (a: Rect, b: Rect) =>
  a.minX <= b.maxX && a.maxX >= b.minX && a.minY <= b.maxY && a.maxY >= b.minY;
