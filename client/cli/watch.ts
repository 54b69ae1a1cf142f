// Watch an event's live seat map from a terminal, through the SDK:
//   npm run watch -- [eventId] [ws://127.0.0.1:8080/ws]
// Prints the counts by status and the places left in each standing area whenever they
// change, and each changed seat with its new status (lines: ./watch-format.ts).
import WebSocket from 'ws';
import { OnsaleHttp, OnsaleSocket, SEAT_STATUS } from '../sdk/index.ts';
import { areaNames, changeLine, httpOrigin, startLine, type WatchLabels } from './watch-format.ts';

const eventId = process.argv[2] ?? 'demo-stadium';
const url = process.argv[3] ?? `ws://127.0.0.1:${process.env.PORT ?? 8080}/ws`;

// Area names live in the chart; without it the watcher still runs, naming areas by position.
let areas: string[] = [];
try {
  areas = areaNames((await new OnsaleHttp(httpOrigin(url)).chart(eventId)).chart);
} catch (e) {
  console.error(`no chart for ${eventId} (${e instanceof Error ? e.message : e}): areas shown by number`);
}
const labels: WatchLabels = { statuses: Object.keys(SEAT_STATUS), areas };

const socket = await OnsaleSocket.connect(url, { WebSocket: WebSocket as never });
const map = await socket.subscribe(eventId);
console.log(startLine(eventId, map, labels));
map.onChange((change) => console.log(changeLine(change, map, labels)));
socket.onError = (e) => console.error(`server: ${e.code}: ${e.message}`);
const closed = await socket.whenClosed();
console.log(`socket closed (${closed.code})`);
