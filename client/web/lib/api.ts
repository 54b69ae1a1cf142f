// The app's one HTTP client and one socket, both carrying the session's token. Pages call
// `http()` for requests and `socket()` for the live seat maps and queues; a sign-in or
// sign-out re-points both (the socket is reopened, since its token is fixed at connect).
import { ApiError, OnsaleHttp, OnsaleSocket } from '../../sdk/index.ts';
import { getSession, onSessionChange } from './session.ts';

const client = new OnsaleHttp(location.origin, { token: getSession()?.token });
let open: Promise<OnsaleSocket> | null = null;

/** The token the open socket was opened with (fixed at connect). */
let socketToken: string | null = null;

onSessionChange((s) => {
  client.token = s?.token ?? null;
  if (socketToken === client.token) return; // the same account: the socket stays
  const old = open;
  open = null;
  old?.then((sock) => sock.close()).catch(() => {});
});

/** The HTTP client, signed in as the current session (if any). */
export function http(): OnsaleHttp {
  return client;
}

/** The socket, opened on first use and shared; a closed one is reopened on the next call. */
export function socket(): Promise<OnsaleSocket> {
  if (!open) {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    socketToken = getSession()?.token ?? null;
    const p = OnsaleSocket.connect(url, { token: socketToken ?? undefined });
    open = p;
    p.then(
      (sock) =>
        sock.whenClosed().then(() => {
          if (open === p) open = null;
        }),
      () => {
        if (open === p) open = null;
      },
    );
  }
  return open;
}

/** A message for the person at the screen: the server's own for API errors. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message || e.code;
  if (e instanceof Error) return e.message;
  return String(e);
}
