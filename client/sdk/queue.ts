// Deli-counter arithmetic: the server broadcasts only "now serving N" and the admission
// rate; each fan works out their own place from their ticket number.

export interface QueueTick {
  serving: number;
  rate: number;
}

export function position(ticket: number, tick: QueueTick): number {
  return Math.max(0, ticket - tick.serving);
}

/** Seconds until admission at the current rate; Infinity while admission is stopped. */
export function etaSeconds(ticket: number, tick: QueueTick): number {
  const ahead = position(ticket, tick);
  if (ahead === 0) return 0;
  return tick.rate > 0 ? ahead / tick.rate : Number.POSITIVE_INFINITY;
}
