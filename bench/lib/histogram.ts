// Percentiles of an HdrHistogram of microseconds, in milliseconds. An empty histogram
// answers 0 for every percentile, which reads as a perfect latency: here it is an error.
import type { Histogram } from 'hdr-histogram-js';
import { BenchFailure } from './checks.ts';

export function percentileMs(h: Histogram, p: number, what: string): number {
  if (h.totalCount === 0) throw new BenchFailure(`no ${what} samples to take a percentile of`);
  return h.getValueAtPercentile(p) / 1000;
}

export function maxMs(h: Histogram, what: string): number {
  if (h.totalCount === 0) throw new BenchFailure(`no ${what} samples to take a maximum of`);
  return h.maxValue / 1000;
}
