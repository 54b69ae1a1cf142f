// Watch an event's live seat map from a terminal, through the SDK:
//   npm run watch -- [eventId] [ws://127.0.0.1:8080/ws]
// Prints the counts by status whenever they change, and each changed seat with its new status.
import WebSocket from 'ws';
import { OnsaleSocket, SEAT_STATUS } from '../sdk/index.ts';

const eventId = process.argv[2] ?? 'demo-stadium';
const url = process.argv[3] ?? `ws://127.0.0.1:${process.env.PORT ?? 8080}/ws`;
const names = Object.keys(SEAT_STATUS);

const socket = await OnsaleSocket.connect(url, { WebSocket: WebSocket as never });
const map = await socket.subscribe(eventId);
const counts = () => names.map((n, i) => `${n} ${map.count(i)}`).join(' · ');
console.log(`${eventId} v${map.version}: ${counts()}`);
map.onChange((changes) => {
  if (changes.length === 0) {
    console.log(`resynchronised at v${map.version}: ${counts()}`);
    return;
  }
  const shown = changes.slice(0, 8).map((c) => `${c.seat}→${names[c.status]}`);
  const more = changes.length > shown.length ? ` (+${changes.length - shown.length} more)` : '';
  console.log(`v${map.version}: ${shown.join(' ')}${more}  |  ${counts()}`);
});
socket.onError = (e) => console.error(`server: ${e.code}: ${e.message}`);
const closed = await socket.whenClosed();
console.log(`socket closed (${closed.code})`);
