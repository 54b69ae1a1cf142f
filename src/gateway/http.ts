import type { HttpResponse } from 'uWebSockets.js';

/** Writes a JSON response; corked so status, headers and body leave in one syscall. */
export function sendJson(res: HttpResponse, status: string, body: unknown): void {
  res.cork(() => {
    res.writeStatus(status).writeHeader('content-type', 'application/json').end(JSON.stringify(body));
  });
}

export function sendError(res: HttpResponse, status: string, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

/**
 * Tracks whether the client went away: uWebSockets.js forbids touching a response after
 * it aborted, so every asynchronous handler checks this before answering.
 */
export function watchAbort(res: HttpResponse): { aborted: boolean } {
  const state = { aborted: false };
  res.onAborted(() => {
    state.aborted = true;
  });
  return state;
}

export const MISSING_HOST = 'HTTP/1.1 requests must name the host in a Host header';

/**
 * RFC 9112 3.2: a request with an empty Host is answered 400 MISSING_HOST and its connection
 * closed. (uWS closes one with no Host header at all itself, unanswered, and never hands
 * JavaScript what it cannot parse: see the README.) For handlers outside the router, which
 * checks on its own; returns whether it answered.
 */
export function refuseWithoutHost(res: HttpResponse, host: string): boolean {
  if (host) return false;
  res.cork(() => {
    res
      .writeStatus('400 Bad Request')
      .writeHeader('content-type', 'application/json')
      .end(JSON.stringify({ error: { code: 'MISSING_HOST', message: MISSING_HOST } }), true);
  });
  return true;
}
