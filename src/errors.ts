// The one error type capabilities raise: a stable code, a message for people, and what a
// client needs to act on it. Capabilities never know HTTP: the gateway's table
// (src/gateway/status-codes.ts) gives each code its status.

export interface ErrorExtra {
  /** Seconds after which a retry may succeed (a full queue, a busy store). */
  retryAfterSeconds?: number;
  /** More fields for the error body (a chart's problems). */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extra: ErrorExtra = {},
  ) {
    super(message);
  }
}

/** An id from a request, safe to quote in a message. */
export function quoted(id: string): string {
  return `"${id.slice(0, 64)}"`;
}
