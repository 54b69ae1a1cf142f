import { afterAll, beforeAll } from 'vitest';
import { edgeSuite } from './edge.ts';
import { fuzzSuite } from './fuzz.ts';
import { holdsSuite } from './holds.ts';
import { hostileInputSuite } from './hostile-input.ts';
import { liveSeatMapSuite } from './live-seat-map.ts';
import { rolesSuite } from './roles.ts';
import { type Gateway, startGateway } from './support.ts';

// The gateway suites share one real server (uWS, PGlite, the demo catalog with the demo
// stadium): starting one costs seconds, and every suite leaves the demo event's sale open
// and its seats as it found them, or works on seats no other suite touches. Socket limits
// need a server of their own (socket-limits.test.ts).

let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway();
});

afterAll(async () => {
  await gw?.stop();
});

const server = () => gw;

liveSeatMapSuite(server);
holdsSuite(server);
hostileInputSuite(server);
fuzzSuite(server);
rolesSuite(server);
edgeSuite(server);
