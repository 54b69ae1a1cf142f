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

/**
 * Reads a request body of at most `limit` bytes. Resolves null when the client aborted or
 * the body was too large (then a 413 has already been sent). Chunks are copied: uWS reuses
 * their memory after the callback returns.
 */
export function readBody(
  res: HttpResponse,
  abort: { aborted: boolean },
  limit: number,
): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    res.onData((chunk, isLast) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > limit) {
        done = true;
        if (!abort.aborted)
          sendError(
            res,
            '413 Payload Too Large',
            'BODY_TOO_LARGE',
            `request bodies are limited to ${limit} bytes`,
          );
        resolve(null);
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast) {
        done = true;
        resolve(abort.aborted ? null : Buffer.concat(chunks));
      }
    });
    res.onAborted(() => {
      abort.aborted = true;
      if (!done) {
        done = true;
        resolve(null);
      }
    });
  });
}

/** Parses a JSON body, answering 400 itself when it is not JSON. */
export function parseJson(res: HttpResponse, body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    sendError(res, '400 Bad Request', 'BAD_JSON', 'the request body is not valid JSON');
    return { ok: false };
  }
}
