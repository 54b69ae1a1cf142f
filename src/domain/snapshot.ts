import { Packr } from 'msgpackr';
import type { Layout } from './chart.ts';
import type { SaleStatus } from './commands.ts';
import { NOT_FOR_SALE } from './seat-status.ts';
import { createState, type EventConfig, type EventState, type Hold, type Order } from './state.ts';

// Compact binary form of an event's state: typed arrays go in as raw bytes. The same state
// always encodes to the same bytes, which is how replay tests compare states.

const packr = new Packr({ useRecords: false, moreTypes: true });
// Format 2 added `withdrawn`; in format 1 a seat was NOT_FOR_SALE only when withdrawn.
const FORMAT = 2;

interface SnapshotBody {
  format: number;
  chartId: string;
  version: number;
  sale: SaleStatus;
  config: EventConfig;
  prices: Int32Array;
  status: Uint8Array;
  withdrawn?: Uint8Array;
  holder: Uint32Array;
  order: Uint32Array;
  areaHeld: Int32Array;
  areaBooked: Int32Array;
  fanIds: string[];
  holds: [string, number, number[], number, number, number, number][];
  orders: [string, number, number[], number[]][];
}

export function encodeState(state: EventState): Uint8Array {
  const body: SnapshotBody = {
    format: FORMAT,
    chartId: state.layout.chartId,
    version: state.version,
    sale: state.sale,
    config: state.config,
    prices: state.prices,
    status: state.status,
    withdrawn: state.withdrawn,
    holder: state.holder,
    order: state.order,
    areaHeld: state.areaHeld,
    areaBooked: state.areaBooked,
    fanIds: state.fanIds,
    holds: [...state.holds.values()].map((h) => [
      h.id,
      h.fan,
      h.seats,
      h.area,
      h.places,
      h.createdAt,
      h.expiresAt,
    ]),
    orders: state.orders.map((o) => [o.id, o.fan, o.seats, Array.from(o.places, (p) => p ?? 0)]),
  };
  return packr.pack(body);
}

/** Rebuilds state from a snapshot; derived indexes (counters, heap) are recomputed. */
export function decodeState(layout: Layout, bytes: Uint8Array): EventState {
  const body = packr.unpack(bytes) as SnapshotBody;
  if (body.format !== FORMAT && body.format !== 1) throw new Error(`unknown snapshot format ${body.format}`);
  if (body.chartId !== layout.chartId)
    throw new Error(`snapshot is for chart ${body.chartId}, not ${layout.chartId}`);
  if (body.status.length !== layout.seatCount) throw new Error('snapshot seat count differs from the chart');
  const state = createState(layout, {}, body.config);
  state.prices.set(body.prices);
  state.version = body.version;
  state.sale = body.sale;
  state.holder.set(body.holder);
  state.order.set(body.order);
  state.areaHeld.set(body.areaHeld);
  state.areaBooked.set(body.areaBooked);
  state.status.set(body.status);
  if (body.withdrawn) state.withdrawn.set(body.withdrawn);
  else
    for (let s = 0; s < layout.seatCount; s++) state.withdrawn[s] = body.status[s] === NOT_FOR_SALE ? 1 : 0;
  state.statusCounts.fill(0);
  state.rowAvailable.fill(0);
  for (let s = 0; s < layout.seatCount; s++) {
    const st = state.status[s];
    state.statusCounts[st]++;
    if (st === 0) state.rowAvailable[layout.seatRow[s]]++;
  }
  body.fanIds.forEach((id, i) => {
    state.fanIds.push(id);
    state.fanIndex.set(id, i);
    state.fanTickets.push(0);
  });
  for (let s = 0; s < layout.seatCount; s++)
    if (state.holder[s] !== 0) state.fanTickets[state.holder[s] - 1]++;
  for (const [id, fan, seats, area, places, createdAt, expiresAt] of body.holds) {
    const h: Hold = { id, fan, seats, area, places, createdAt, expiresAt, heapSlot: -1 };
    state.holds.set(id, h);
    state.fanTickets[fan] += places;
    state.expiry.push(h);
  }
  body.orders.forEach(([id, fan, seats, places], i) => {
    const o: Order = { id, fan, seats, places };
    state.orders.push(o);
    state.orderIndex.set(id, i);
    for (const p of places) state.fanTickets[fan] += p;
  });
  return state;
}
