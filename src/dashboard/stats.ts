import type { LatencyStats, OperatorStats } from '../../client/sdk/protocol.ts';
import type { Availability } from '../domain/queries.ts';
import type { SalesReport } from '../orders/sales.ts';
import type { RoomInfo } from '../waiting-room/rooms.ts';

// The dashboard's message, put together from what each capability reports (pure).

export interface StatsInput {
  eventId: string;
  at: number;
  availability: Availability;
  sales: SalesReport;
  room: RoomInfo | undefined;
  holds: LatencyStats | undefined;
  commits: LatencyStats | undefined;
}

/** Minutes of sales the message carries: the hour a dashboard's chart shows. */
export const MINUTES_SENT = 60;
const NONE: LatencyStats = { count: 0, p50: null, p99: null, max: null };

export function statsOf(i: StatsInput): OperatorStats {
  const { availability: a, sales: s, room } = i;
  return {
    e: i.eventId,
    at: i.at,
    version: a.version,
    sale: a.sale,
    seats: a.seats,
    areas: a.areas,
    sales: {
      currency: s.currency,
      orders: s.orders,
      tickets: s.tickets,
      revenue: s.revenue,
      refunded: s.refunded,
      byMinute: s.byMinute.slice(-MINUTES_SENT),
    },
    queue: room
      ? {
          enabled: room.enabled,
          rate: room.rate,
          effectiveRate: room.effectiveRate,
          waiting: room.waiting,
          serving: room.serving,
        }
      : null,
    holdMs: i.holds ?? NONE,
    commitMs: i.commits ?? NONE,
  };
}
