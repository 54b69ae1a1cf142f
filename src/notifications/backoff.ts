// When a mail that failed is tried again: exponential backoff with jitter, so a mail server
// that was down is not hit by every waiting mail at the same moment when it comes back.

export interface Backoff {
  /** The delay after the first failure, before jitter. */
  baseMs: number;
  /** No delay is longer than this. */
  capMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1000, capMs: 10 * 60_000 };

/**
 * The wait after the `attempts`-th failed attempt (1, 2, …): base · 2^(attempts-1), capped,
 * then "equal jitter" — a random point in its upper half, so retries spread out but never
 * come much sooner than planned. `random` is in [0, 1).
 */
export function retryDelayMs(attempts: number, backoff: Backoff, random: number): number {
  const exp = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + random * (exp / 2));
}
