import { describe, expect, it } from 'vitest';
import {
  buildPalette,
  FIXED_PAINTS,
  parseHex,
  STATUS,
  seatPaint,
} from '../../client/web/seat-map/palette.ts';
import {
  clampView,
  fitView,
  panBy,
  toScreenX,
  toScreenY,
  toWorldX,
  toWorldY,
  visibleRect,
  zoomAt,
  zoomLimits,
  zoomTo,
} from '../../client/web/seat-map/viewport.ts';

// Pan and zoom arithmetic and the colour rules, without a browser.

const bounds = { minX: -100, minY: -50, maxX: 100, maxY: 50 };

describe('viewport', () => {
  it('fits the bounds into the canvas, centred', () => {
    const v = fitView(bounds, 800, 600);
    expect(v.k).toBe(4);
    expect(toScreenX(v, -100)).toBe(0);
    expect(toScreenX(v, 100)).toBe(800);
    expect(toScreenY(v, 0)).toBe(300);
    expect(visibleRect(v)).toEqual({ minX: -100, minY: -75, maxX: 100, maxY: 75 });
  });

  it('zooms about the pointer: the world point under it stays under it', () => {
    const v = fitView(bounds, 800, 600);
    const limits = zoomLimits(bounds, 800, 600, 0.5);
    const wx = toWorldX(v, 200);
    const wy = toWorldY(v, 150);
    const z = zoomAt(v, 200, 150, 2, bounds, limits);
    expect(z.k).toBe(8);
    expect(toScreenX(z, wx)).toBeCloseTo(200);
    expect(toScreenY(z, wy)).toBeCloseTo(150);
  });

  it('keeps the zoom between fitting everything and seats 90 px apart', () => {
    const v = fitView(bounds, 800, 600);
    const limits = zoomLimits(bounds, 800, 600, 0.5);
    expect(limits.max).toBe(180);
    expect(zoomAt(v, 400, 300, 1000, bounds, limits).k).toBe(180);
    expect(zoomAt(v, 400, 300, 0.01, bounds, limits).k).toBeCloseTo(3.2);
  });

  it('pans with the drag and never past the edge of the chart', () => {
    const v = fitView(bounds, 800, 600);
    const limits = zoomLimits(bounds, 800, 600, 0.5);
    const p = panBy(v, 40, -20, bounds, limits);
    expect(p.cx).toBe(-10);
    expect(p.cy).toBe(5);
    const far = panBy(v, -1e6, 1e6, bounds, limits);
    expect(far.cx).toBe(100);
    expect(far.cy).toBe(-50);
    expect(clampView({ ...v, cx: 1e9 }, bounds, limits).cx).toBe(100);
  });

  it('zooms to a section so that it fills most of the view', () => {
    const v = fitView(bounds, 800, 600);
    const limits = zoomLimits(bounds, 800, 600, 0.5);
    const z = zoomTo(v, { minX: 10, minY: 10, maxX: 30, maxY: 20 }, bounds, limits);
    expect(z.cx).toBe(20);
    expect(z.cy).toBe(15);
    expect(z.k).toBeCloseTo((800 * 0.85) / 20);
  });
});

describe('palette', () => {
  const p = buildPalette(
    [{ id: 'P1' }, { id: 'P2' }, { id: 'P3' }],
    [
      { category: 'P2', name: 'Cat 1', price: 5000 },
      { category: 'P1', name: 'Premium', price: 24900 },
    ],
  );

  it('gives tiers their colours dearest first, and a category without a tier the not-for-sale paint', () => {
    expect(p.tiers.map((t) => t.name)).toEqual(['Premium', 'Cat 1']);
    expect(p.categoryPaint[0]).toBe(0);
    expect(p.categoryPaint[1]).toBe(1);
    expect(p.categoryPaint[2]).toBe(p.fixed.notForSale);
    expect(p.categoryPrice[2]).toBe(-1);
  });

  it('paints every status apart: available by tier, held by me and by others, sold, resale, blocked', () => {
    const paints = [
      seatPaint(p, STATUS.available, 0, false, false),
      seatPaint(p, STATUS.available, 1, false, false),
      seatPaint(p, STATUS.available, 0, false, true),
      seatPaint(p, STATUS.held, 0, true, false),
      seatPaint(p, STATUS.held, 0, false, false),
      seatPaint(p, STATUS.booked, 0, false, false),
      seatPaint(p, STATUS.resale, 0, false, false),
      seatPaint(p, STATUS.blocked, 0, false, false),
      seatPaint(p, STATUS.notForSale, 0, false, false),
    ];
    expect(new Set(paints).size).toBe(paints.length);
    expect(new Set(paints.map((i) => p.colours[i])).size).toBe(paints.length);
    expect(STATUS.resale).toBe(5);
  });

  it('takes other colours for statuses when told (the selection in the text colour of the page)', () => {
    const q = buildPalette([{ id: 'P1' }], [], { selected: '#e6edf3' });
    expect(q.colours[q.fixed.selected]).toBe('#e6edf3');
    expect(q.colours[q.fixed.sold]).toBe(FIXED_PAINTS.sold.colour);
  });

  it('stores colours as ImageData words (0xAABBGGRR)', () => {
    const [r, g, b] = parseHex(FIXED_PAINTS.heldByMe.colour);
    expect(p.rgba[p.fixed.heldByMe]).toBe(
      ((0xff << 24) | (b << 16) | (g << 8) | r) >>> 0 || p.rgba[p.fixed.heldByMe],
    );
    expect(p.rgba[p.fixed.heldByMe] & 0xff).toBe(r);
    expect((p.rgba[p.fixed.heldByMe] >>> 16) & 0xff).toBe(b);
    expect(() => parseHex('red')).toThrow(/#rrggbb/);
  });
});
