// A bench whose workload did not happen must fail, not print figures of nothing (a p99 of
// no samples reads as 0 ms, a pass for any threshold). These throw a BenchFailure, which
// bench/run.ts prints as one line on stderr before exiting non-zero.

export class BenchFailure extends Error {
  override name = 'BenchFailure';
}

/** Fails unless cond holds; `message` names the bench and what failed. */
export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new BenchFailure(message);
}

/**
 * Fails unless at least `minShare` of `expected` things happened, e.g.
 * `fanout: 0 of 1600 holds were accepted (first error: SEAT_UNAVAILABLE)`.
 */
export function expectCount(
  bench: string,
  what: string,
  got: number,
  expected: number,
  opts: { minShare?: number; firstError?: string | null; commonError?: string | null } = {},
): void {
  const minShare = opts.minShare ?? 1;
  const needed = Math.max(1, Math.ceil(expected * minShare));
  if (got >= needed) return;
  const notes = [
    ...(opts.firstError ? [`first error: ${opts.firstError}`] : []),
    ...(opts.commonError ? [`most common error: ${opts.commonError}`] : []),
    ...(minShare < 1 ? [`at least ${needed} needed`] : []),
  ];
  throw new BenchFailure(
    `${bench}: ${got} of ${expected} ${what}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
  );
}

/** The most frequent key of error tallies (summed), for a failure message; null for none. */
export function commonest(tallies: Record<string, number> | Record<string, number>[]): string | null {
  const sum = new Map<string, number>();
  for (const t of Array.isArray(tallies) ? tallies : [tallies])
    for (const [k, n] of Object.entries(t)) sum.set(k, (sum.get(k) ?? 0) + n);
  const top = [...sum].sort((a, b) => b[1] - a[1])[0];
  return top ? `${top[0]} ×${top[1]}` : null;
}
