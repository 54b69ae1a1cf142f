// The onsale SDK: used by the web client, the tests and the benchmarks.
export { ApiError, type HoldRequest, type HoldResult, OnsaleHttp } from './http.ts';
export { etaSeconds, position, type QueueTick } from './queue.ts';
export {
  type AreaChange,
  type DeltaResult,
  type SeatChange,
  SeatMap,
  type SeatMapChange,
} from './seat-map.ts';
export { OnsaleSocket, type SocketOptions } from './socket.ts';

/** Seat status codes, as in the seat map's bytes. */
export const SEAT_STATUS = { available: 0, held: 1, booked: 2, blocked: 3, notForSale: 4 } as const;
