// Latencies of the last few seconds, for the operators' live dashboard: a bounded ring of
// (time, milliseconds) samples, summarised as count and percentiles of those still in the
// window. Pure: the caller gives the time, so tests need no clock.

export interface LatencySummary {
  /** Samples in the window. */
  count: number;
  /** Milliseconds; null when the window is empty. */
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export class LatencyWindow {
  private readonly at: Float64Array;
  private readonly ms: Float64Array;
  private next = 0;
  private size = 0;

  /** `capacity` bounds memory under a storm: past it the oldest samples give way. */
  constructor(
    private readonly windowMs = 10_000,
    capacity = 4096,
  ) {
    this.at = new Float64Array(capacity);
    this.ms = new Float64Array(capacity);
  }

  record(ms: number, now: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.at[this.next] = now;
    this.ms[this.next] = ms;
    this.next = (this.next + 1) % this.at.length;
    if (this.size < this.at.length) this.size++;
  }

  summary(now: number): LatencySummary {
    const from = now - this.windowMs;
    const inWindow: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.at[i] > from) inWindow.push(this.ms[i]);
    if (inWindow.length === 0) return { count: 0, p50: null, p99: null, max: null };
    inWindow.sort((a, b) => a - b);
    return {
      count: inWindow.length,
      p50: round(percentile(inWindow, 0.5)),
      p99: round(percentile(inWindow, 0.99)),
      max: round(inWindow[inWindow.length - 1]),
    };
  }
}

/** Nearest-rank percentile of sorted values (q in 0..1). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('percentile of nothing');
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const round = (ms: number) => Math.round(ms * 100) / 100;
