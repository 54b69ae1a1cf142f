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
