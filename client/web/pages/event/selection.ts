import type { ChartModel } from '../../seat-map/chart-model.ts';
import { STATUS } from '../../seat-map/palette.ts';

// The seats a fan has picked but not held yet: toggled by clicks and the seat list, capped,
// and pruned when the live map says someone else took one. Pure: sets in, sets out.

/** A hold takes at most this many seats (the holds API's limit). */
export const MAX_PICK = 100;

export type ToggleResult = { ok: true; selection: Set<string> } | { ok: false; reason: string };

export function toggleSeat(selection: ReadonlySet<string>, id: string, limit = MAX_PICK): ToggleResult {
  const next = new Set(selection);
  if (next.has(id)) {
    next.delete(id);
    return { ok: true, selection: next };
  }
  if (next.size >= limit) return { ok: false, reason: `You can pick at most ${limit} seats at once.` };
  next.add(id);
  return { ok: true, selection: next };
}

/** The selection without seats that are no longer available; `lost` names the ones dropped. */
export function pruneSelection(
  selection: ReadonlySet<string>,
  model: ChartModel,
  status: Uint8Array,
): { selection: ReadonlySet<string>; lost: string[] } {
  const lost: string[] = [];
  for (const id of selection) {
    const i = model.seatIndex.get(id);
    if (i === undefined || status[i] !== STATUS.available) lost.push(id);
  }
  if (lost.length === 0) return { selection, lost };
  const next = new Set(selection);
  for (const id of lost) next.delete(id);
  return { selection: next, lost };
}

/** The selection's total in minor units (seats whose category has no price count 0). */
export function selectionTotal(
  selection: ReadonlySet<string>,
  model: ChartModel,
  categoryPrice: Float64Array,
): number {
  let total = 0;
  for (const id of selection) {
    const i = model.seatIndex.get(id);
    if (i !== undefined) total += Math.max(0, categoryPrice[model.category[i]]);
  }
  return total;
}
