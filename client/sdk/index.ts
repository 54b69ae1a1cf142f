// The onsale SDK: used by the web client, the tests and the benchmarks.

// Capabilities, one module each (also importable from their own files).
export * as accounts from './accounts.ts';
export * as boxOffice from './box-office.ts';
export * as catalog from './catalog.ts';
export * as checkout from './checkout.ts';
export * as eventDetail from './event-detail.ts';
export { ApiError, type HoldRequest, type HoldResult, type MyHold, OnsaleHttp } from './http.ts';
export * as operator from './operator.ts';
export { type ClientMessage, SEAT_STATUS, type ServerMessage, STATUS_NAMES } from './protocol.ts';
export { etaSeconds, position, type QueueTick } from './queue.ts';
export * as resale from './resale.ts';
export * as scanning from './scanning.ts';
export {
  type AreaChange,
  type DeltaResult,
  type SeatChange,
  SeatMap,
  type SeatMapChange,
} from './seat-map.ts';
export { OnsaleSocket, type SocketOptions } from './socket.ts';
export * as tickets from './tickets.ts';
export * as waitingRoom from './waiting-room.ts';
