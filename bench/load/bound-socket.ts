// The SDK's OnsaleSocket on the `ws` package, with every client socket bound to one loopback
// source address (127.0.0.2, …): each address has its own ~28k ephemeral ports, so several
// of them lift the client side past one address's port range. No compression: the server
// offers none, and the client's deflate state would only cost memory.
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

export async function connectFrom(localAddress: string, url: string, token?: string): Promise<BoundSocket> {
  let created: WebSocket | null = null;
  let tcp: Socket | null = null;
  class BoundWebSocket extends WebSocket {
    constructor(address: string) {
      // readableHighWaterMark reaches net.connect: a paused socket stops reading from the
      // kernel after one chunk (with the default 64 KB it would go on reading, for nothing).
      super(address, {
        localAddress,
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
  const sdk = await OnsaleSocket.connect(url, { WebSocket: BoundWebSocket as never, token });
  return { sdk, ws: created as unknown as WebSocket, tcp: tcp as unknown as Socket };
}
