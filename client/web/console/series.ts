import type { OperatorStats } from '../../sdk/operator.ts';

// The dashboard's charts from its stats messages. Pure: uPlot takes columns (x in seconds).
// - sales per minute and revenue come from the stats' own byMinute (tickets and revenue of
//   each minute with a sale, oldest first), with the minutes in between filled with zeros so
//   a quiet minute shows as one;
// - the seat counts and latencies are kept per message, the last `keep` of them.

export interface Live {
  t: number[];
  booked: number[];
  held: number[];
  available: number[];
  holdP99: (number | null)[];
  commitP99: (number | null)[];
}

export const emptyLive = (): Live => ({
  t: [],
  booked: [],
  held: [],
  available: [],
  holdP99: [],
  commitP99: [],
});

/** The series with one more message (a new object; at most `keep` points). */
export function addStats(live: Live, s: OperatorStats, keep = 300): Live {
  const cut = <T>(a: T[], v: T) => [...a, v].slice(-keep);
  if (live.t.length > 0 && live.t[live.t.length - 1] >= s.at / 1000) return live;
  return {
    t: cut(live.t, s.at / 1000),
    booked: cut(live.booked, s.seats.booked),
    held: cut(live.held, s.seats.held),
    available: cut(live.available, s.seats.available),
    holdP99: cut(live.holdP99, s.holdMs.p99),
    commitP99: cut(live.commitP99, s.commitMs.p99),
  };
}

export interface PerMinute {
  /** Minute starts, epoch seconds. */
  t: number[];
  tickets: number[];
  /** Revenue of the minute, major units (the chart's axis). */
  revenue: number[];
  /** Revenue so far, major units. */
  cumulative: number[];
}

/**
 * Minute by minute from the first minute with a sale up to `nowMs`'s minute (at most the last
 * `minutes`, at least the last `atLeast`, so one sale does not stretch the axis to years),
 * gaps filled with zeros; cumulative revenue counts from the first minute shown.
 */
export function perMinute(
  byMinute: OperatorStats['sales']['byMinute'],
  nowMs: number,
  minutes = 60,
  atLeast = 15,
): PerMinute {
  const out: PerMinute = { t: [], tickets: [], revenue: [], cumulative: [] };
  const seen = new Map(byMinute.map((m) => [Math.floor(Date.parse(m.minute) / 60_000), m]));
  const last = Math.max(Math.floor(nowMs / 60_000), ...seen.keys());
  const earliest = seen.size > 0 ? Math.min(...seen.keys()) : last;
  const first = Math.max(Math.min(earliest, last - atLeast + 1), last - minutes + 1);
  let sum = 0;
  for (let m = first; m <= last; m++) {
    const row = seen.get(m);
    const revenue = (row?.revenue ?? 0) / 100;
    sum += revenue;
    out.t.push(m * 60);
    out.tickets.push(row?.tickets ?? 0);
    out.revenue.push(revenue);
    out.cumulative.push(sum);
  }
  return out;
}
