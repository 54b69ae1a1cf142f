import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, http, startGateway } from './support.ts';

// Malformed HTTP over raw TCP sockets. uWebSockets.js 20.30 parses requests in C++ and hands
// JavaScript only what it could parse: a request it cannot parse is kept as "more to come"
// (no answer) until its 10-second idle timer closes the connection (checked every 4 s:
// 10-14 s), or closed at once, unanswered, when 4 KB of unparsable bytes have piled up or
// the request has no Host header or an unreadable Content-Length. An empty Host reaches the
// server, which answers 400 MISSING_HOST and closes the connection.
// A server of its own: these connections sit open for seconds.

interface Outcome {
  /** Bytes the server sent back. */
  reply: string;
  /** How long the connection stayed open, ms (Infinity: still open at the deadline). */
  openMs: number;
}

function probe(gw: Gateway, bytes: string | Buffer, deadlineMs = 20_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const s = connect(gw.server.port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ reply, openMs: Number.POSITIVE_INFINITY });
    }, deadlineMs);
    s.on('data', (d) => {
      reply += d.toString('latin1');
    });
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ reply, openMs: performance.now() - started });
    });
    s.write(bytes);
  });
}

const UNPARSABLE: [string, string | Buffer][] = [
  ['garbage without a line end', 'hello, server'],
  ['garbage with CRLF CRLF', 'hello garbage\r\n\r\n'],
  ['binary bytes', Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a])],
  ['a request line and no header at all (so no Host)', 'GET /api/events/demo-stadium HTTP/1.1\r\n\r\n'],
  ['bare LF line endings', 'GET /healthz HTTP/1.1\nHost: x\n\n'],
  ['HTTP/1.0', 'GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n'],
  ['a space before a header colon', 'GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n'],
  ['a NUL in the target', 'GET /api/events/a\u0000b HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['half a request, never finished', 'GET /healthz HTTP/1.1\r\nHost: x\r\n'],
];

describe('malformed HTTP on a raw socket', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('given requests uWS cannot parse, then no answer, the connection closed by uWS within 10-16 s (as an idle well-formed one), and the server serving everyone else meanwhile', async () => {
    const started = performance.now();
    const pending = UNPARSABLE.map(([name, bytes]) => probe(gw, bytes).then((o) => ({ name, ...o })));
    // For comparison: two well-formed requests are answered, and their connection is kept
    // for more until the same idle timer closes it.
    const kept = probe(
      gw,
      'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    // While they hang, others are served as usual.
    for (let i = 0; i < 5; i++) {
      expect((await http(gw, 'GET', '/healthz')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
    }
    const outcomes = await Promise.all(pending);
    for (const o of outcomes) {
      expect({ name: o.name, reply: o.reply }).toEqual({ name: o.name, reply: '' });
      expect(o.openMs, o.name).toBeGreaterThan(8_000);
      expect(o.openMs, o.name).toBeLessThan(16_000);
    }
    const ok = await kept;
    expect(ok.reply.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(ok.openMs).toBeGreaterThan(8_000);
    expect(ok.openMs).toBeLessThan(16_000);
    expect(performance.now() - started).toBeLessThan(17_000);
    expect((await http(gw, 'GET', '/healthz')).status).toBe(200);
  }, 30_000);

  it('given 4 KB of bytes that never become a request, no Host header, or an unreadable content-length, then the connection is closed at once, unanswered', async () => {
    for (const bytes of [
      'GET /api/events/demo-stadium HTTP/1.1\r\nAccept: */*\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nUser-Agent: raw\r\n\r\n',
      'x'.repeat(5000),
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(5000)}\n\n`,
      'POST /api/holds HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n',
    ]) {
      const o = await probe(gw, bytes, 5_000);
      expect(o.reply).toBe('');
      expect(o.openMs).toBeLessThan(1_000);
    }
  });

  it.each([
    ['an API route', 'GET /api/events/demo-stadium HTTP/1.1\r\nHost:\r\n\r\n'],
    [
      'a JSON route with a body',
      'POST /api/holds HTTP/1.1\r\nHost: \r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    ],
    ['an unknown path', 'GET /nowhere HTTP/1.1\r\nHost:\r\n\r\n'],
    ['the health probe', 'GET /healthz HTTP/1.1\r\nHost:\r\n\r\n'],
    ['the readiness probe', 'GET /readyz HTTP/1.1\r\nHost:\r\n\r\n'],
    ['the metrics', 'GET /metrics HTTP/1.1\r\nHost:\r\n\r\n'],
    ['the web app', 'GET / HTTP/1.1\r\nHost:\r\n\r\n'],
    ['an app route', 'GET /events/demo-stadium HTTP/1.1\r\nHost:\r\n\r\n'],
    ['an app file', 'GET /index.html HTTP/1.1\r\nHost:\r\n\r\n'],
    [
      'a WebSocket upgrade',
      'GET /ws HTTP/1.1\r\nHost:\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    ],
  ])(
    'given %s with an empty Host header, then 400 MISSING_HOST in the error shape and the connection closed at once',
    async (_name, bytes) => {
      const o = await probe(gw, bytes, 5_000);
      expect(o.reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      const body = o.reply.slice(o.reply.indexOf('\r\n\r\n') + 4);
      expect(JSON.parse(body)).toEqual({ error: { code: 'MISSING_HOST', message: expect.any(String) } });
      expect(o.reply.toLowerCase()).toContain('content-type: application/json');
      expect(o.openMs).toBeLessThan(1_000);
    },
  );
});
