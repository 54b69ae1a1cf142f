import { describe, expect, it } from 'vitest';
import { LatencyWindow, percentile } from '../../src/dashboard/latency-window.ts';

describe('LatencyWindow', () => {
  it('given no samples, then the summary is empty', () => {
    expect(new LatencyWindow().summary(1000)).toEqual({ count: 0, p50: null, p99: null, max: null });
  });

  it('given 100 samples of 1..100 ms, then p50 is 50, p99 99 and max 100', () => {
    const w = new LatencyWindow(10_000);
    for (let i = 100; i >= 1; i--) w.record(i, 5000);
    expect(w.summary(5000)).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
  });

  it('given samples older than the window, then they no longer count', () => {
    const w = new LatencyWindow(10_000);
    w.record(500, 0);
    w.record(2, 9_000);
    expect(w.summary(10_500)).toEqual({ count: 1, p50: 2, p99: 2, max: 2 });
    expect(w.summary(19_001).count).toBe(0);
  });

  it('given more samples than its capacity, then the oldest give way', () => {
    const w = new LatencyWindow(10_000, 4);
    for (const ms of [900, 1, 2, 3, 4]) w.record(ms, 100);
    expect(w.summary(100)).toMatchObject({ count: 4, max: 4 });
  });

  it('given a negative or non-finite latency, then it is ignored', () => {
    const w = new LatencyWindow();
    w.record(-1, 10);
    w.record(Number.NaN, 10);
    expect(w.summary(10).count).toBe(0);
  });

  it('percentile is nearest-rank and refuses an empty list', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(() => percentile([], 0.5)).toThrow();
  });
});
