// The SDK's OnsaleSocket on the `ws` package, with every client socket bound to one loopback
// source address (127.0.0.2, …): each address has its own ~28k ephemeral ports, so several
// of them lift the client side past one address's port range. No compression: the server
// offers none, and the client's deflate state would only cost memory.
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { OnsaleSocket } from '../../client/sdk/index.ts';

export interface BoundSocket {
  sdk: OnsaleSocket;
  /** The `ws` socket under it: pause() stops reading, so frames wait in the kernel's buffers. */
  ws: WebSocket;
  /** The TCP socket under that (from the upgrade response): cork() gathers writes into one. */
  tcp: Socket;
}

const lastError = new WeakMap<WebSocket, string>();

/** Why a socket failed, if it did (its last 'error' event). */
export function errorOf(ws: WebSocket): string | undefined {
  return lastError.get(ws);
}

// The local port is chosen here, not by the kernel: bind(address, 0) searches the ephemeral
// range and slows down as it fills (measured here: 0.07 ms a connect for the first 6,000
// sockets of one address, 1.3 ms past them), while a given port is one lookup. The ports are
// below the ephemeral range: a port bound explicitly, on any address, is one the kernel no
// longer picks for anybody's connect(), and tens of thousands of them in the range leave the
// server's own connections (Postgres, Redis) with EADDRNOTAVAIL. A port still taken
// (TIME_WAIT from an earlier run, a listener) is skipped.
const FIRST_PORT = 1024;
const LAST_PORT = ephemeralLow() - 1;
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > FIRST_PORT + 20_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}
let lastPort = FIRST_PORT + Math.floor(Math.random() * (LAST_PORT - FIRST_PORT));
function nextPort(): number {
  lastPort = lastPort >= LAST_PORT ? FIRST_PORT : lastPort + 1;
  return lastPort;
}

export async function connectFrom(localAddress: string, url: string, token?: string): Promise<BoundSocket> {
  for (let attempt = 1; ; attempt++) {
    const localPort = nextPort();
    try {
      return await connectFromPort(localAddress, localPort, url, token);
    } catch (e) {
      if (attempt >= 50 || !String((e as Error)?.message ?? e).includes('EADDRINUSE')) throw e;
    }
  }
}

async function connectFromPort(
  localAddress: string,
  localPort: number,
  url: string,
  token?: string,
): Promise<BoundSocket> {
  let created: WebSocket | null = null;
  let tcp: Socket | null = null;
  class BoundWebSocket extends WebSocket {
    constructor(address: string) {
      // readableHighWaterMark reaches net.connect: a paused socket stops reading from the
      // kernel after one chunk (with the default 64 KB it would go on reading, for nothing).
      super(address, {
        localAddress,
        localPort,
        perMessageDeflate: false,
        handshakeTimeout: 30_000,
        readableHighWaterMark: 1,
      } as WebSocket.ClientOptions);
      created = this;
      this.once('upgrade', (res) => {
        tcp = res.socket;
      });
      // A reset after the SDK dropped its onerror (e.g. the server stopped) must not throw;
      // the error is kept to explain the close.
      this.on('error', (e) => {
        lastError.set(this, e.message);
      });
    }
  }
  try {
    const sdk = await OnsaleSocket.connect(url, { WebSocket: BoundWebSocket as never, token });
    return { sdk, ws: created as unknown as WebSocket, tcp: tcp as unknown as Socket };
  } catch (e) {
    // The SDK says it could not connect; the socket's own error says why (EADDRINUSE: retry).
    const why = created ? errorOf(created) : undefined;
    if (why) (e as Error).message += ` (${why})`;
    throw e;
  }
}
