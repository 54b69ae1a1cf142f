// The ticket's code rotates every 15 s, counted from the epoch (src/tickets/credential.ts).

export const STEP_MS = 15_000;

/** Milliseconds until the next step starts (steps are counted from the epoch), plus a little. */
export function untilNextStep(now = Date.now()): number {
  return STEP_MS - (now % STEP_MS) + 250;
}
