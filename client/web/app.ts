/// <reference lib="dom" />
// The fan's live seat map in the browser, built on the SDK: draws every seat of the event's
// chart, coloured by status, and repaints the seats each delta changes.
import { OnsaleHttp, OnsaleSocket, SEAT_STATUS, type SeatMap } from '../sdk/index.ts';

interface ChartSeat {
  x: number;
  y: number;
}
interface ChartJson {
  name: string;
  sections: { rows: { seats: ChartSeat[] }[] }[];
}

const COLORS = ['#3fb950', '#d29922', '#f85149', '#6e7681', '#30363d'];
const names = Object.keys(SEAT_STATUS);
const params = new URLSearchParams(location.search);
const eventId = params.get('event') ?? 'demo-stadium';

const canvas = document.getElementById('map') as HTMLCanvasElement;
const ctx = canvas.getContext('2d')!;
const http = new OnsaleHttp(location.origin);
const { chart } = (await http.chart(eventId)) as { chart: ChartJson };
const seats: ChartSeat[] = chart.sections.flatMap((s) => s.rows.flatMap((r) => r.seats));
document.getElementById('title')!.textContent = chart.name;

let minX = Infinity,
  maxX = -Infinity,
  minY = Infinity,
  maxY = -Infinity;
for (const s of seats) {
  minX = Math.min(minX, s.x);
  maxX = Math.max(maxX, s.x);
  minY = Math.min(minY, s.y);
  maxY = Math.max(maxY, s.y);
}
let scale = 1;
let size = 1;
let offsetX = 0;
function layout(): void {
  canvas.width = canvas.clientWidth * devicePixelRatio;
  canvas.height = canvas.clientHeight * devicePixelRatio;
  scale = Math.min(canvas.width / (maxX - minX + 2), canvas.height / (maxY - minY + 2));
  size = Math.max(1, scale * 0.45);
  offsetX = (canvas.width - (maxX - minX + 2) * scale) / 2;
}
const px = (s: ChartSeat) => offsetX + (s.x - minX + 1) * scale;
const py = (s: ChartSeat) => (maxY - s.y + 1) * scale;

function paint(map: SeatMap, only?: number[]): void {
  const list = only ?? seats.map((_, i) => i);
  if (!only) ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (const i of list) {
    ctx.fillStyle = COLORS[map.status[i]] ?? '#fff';
    ctx.fillRect(px(seats[i]) - size / 2, py(seats[i]) - size / 2, size, size);
  }
  document.getElementById('version')!.textContent = `version ${map.version}`;
  document.getElementById('legend')!.innerHTML = names
    .map((n, s) => `<span><i style="background:${COLORS[s]}"></i>${n} ${map.count(s)}</span>`)
    .join('');
}

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const socket = await OnsaleSocket.connect(wsUrl);
const map = await socket.subscribe(eventId);
layout();
paint(map);
// A delta repaints just its seats (none for an extension: only the version and legend); a snapshot repaints all.
map.onChange((change) => paint(map, change.kind === 'delta' ? change.seats.map((c) => c.seat) : undefined));
addEventListener('resize', () => {
  layout();
  paint(map);
});
