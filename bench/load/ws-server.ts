// The baseline for `npm run bench -- connections`: the same idle-socket workload held by
// the `ws` package's server on node:http, the usual way to serve WebSockets from Node. It
// speaks just enough of docs/protocol.md for the SDK to connect and ping (hello, pong).
import { createServer } from 'node:http';
import { Packr } from 'msgpackr';
import { WebSocketServer } from 'ws';

const packr = new Packr({ useRecords: false });
const hello = packr.pack({ t: 'hello', format: 'msgpack', user: null });
const http = createServer((req, res) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (req.url === '/internal/gc' && gc) gc(); // as the onsale server's internal route
  const known = req.url === '/readyz' || req.url === '/internal/gc';
  res.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(process.memoryUsage()));
});
const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.send(hello);
  ws.on('message', (data) => {
    const m = packr.unpack(data as Buffer) as { t?: string; id?: unknown };
    if (m.t === 'ping') ws.send(packr.pack({ t: 'pong', id: m.id }));
  });
});
http.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
