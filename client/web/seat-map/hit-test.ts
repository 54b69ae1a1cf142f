import type { ChartModel } from './chart-model.ts';

// What lies under a world point: a standing area, a section (by its outline). Pure.

/** The standing area under (x, y), or -1. */
export function areaAt(model: ChartModel, x: number, y: number): number {
  return model.areas.findIndex((a) => Math.abs(a.x - x) <= a.half && Math.abs(a.y - y) <= a.half);
}

/** The section whose outline holds (x, y), allowing `pad` around it; -1 when none. */
export function sectionAt(model: ChartModel, x: number, y: number, pad = model.pitch): number {
  return model.sections.findIndex(
    (s) =>
      x >= s.bounds.minX - pad &&
      x <= s.bounds.maxX + pad &&
      y >= s.bounds.minY - pad &&
      y <= s.bounds.maxY + pad &&
      insideOutline(s.outline, x, y, pad),
  );
}

/** Point in polygon (even-odd), or within `pad` of one of its corners (sections one row deep). */
export function insideOutline(poly: number[], x: number, y: number, pad: number): boolean {
  let inPoly = false;
  const n = poly.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[2 * i];
    const yi = poly[2 * i + 1];
    const xj = poly[2 * j];
    const yj = poly[2 * j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inPoly = !inPoly;
    if (Math.abs(xi - x) <= pad && Math.abs(yi - y) <= pad) return true;
  }
  return inPoly;
}
