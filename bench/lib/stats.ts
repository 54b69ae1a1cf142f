// Small helpers shared by the benchmarks: latency recording, medians, and the table +
// JSON-line output every bench ends with.
import { BenchFailure } from './checks.ts';
import { machine } from './machine.ts';

export class Latencies {
  private values: number[] = [];

  /** `what` names the samples in the error when there are none. */
  constructor(private readonly what = 'latency') {}

  record(value: number): void {
    this.values.push(value);
  }

  get count(): number {
    return this.values.length;
  }

  percentile(p: number): number {
    // A percentile of nothing is no figure: NaN became null or 0 in the JSON and passed checks.
    if (this.values.length === 0) throw new BenchFailure(`no ${this.what} samples to take a percentile of`);
    const sorted = Float64Array.from(this.values).sort();
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  }
}

export function median(xs: number[]): number {
  if (xs.length === 0) throw new BenchFailure('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Prints rows as an aligned table on stdout. */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(width[i])).join('  ');
  console.log(line(cols));
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
}

/**
 * The machine-readable result: always the last line of stdout, with the machine it ran on
 * (CPU, load average at the start and end) beside the figures. A figure that is not a finite
 * number (NaN from no samples, Infinity from dividing by none) fails the run instead:
 * JSON would print it as null and a reader could not tell it from a phase not run.
 */
export function printJson(result: Record<string, unknown>): void {
  const bad = nonFinite(result, '');
  if (bad) throw new BenchFailure(`${result.bench ?? 'bench'}: ${bad.path} is ${bad.value}, not a figure`);
  const out: Record<string, unknown> = { ...result };
  for (const [k, v] of Object.entries(machine())) if (!(k in out)) out[k] = v;
  console.log(JSON.stringify(out));
}

function nonFinite(v: unknown, path: string): { path: string; value: number } | null {
  if (typeof v === 'number') return Number.isFinite(v) ? null : { path: path || 'result', value: v };
  if (v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v)) {
    const bad = nonFinite(x, Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
    if (bad) return bad;
  }
  return null;
}

/** A growable Float64Array: millions of samples without an object each. */
export class Float64List {
  data = new Float64Array(1024);
  length = 0;

  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }

  clear(): void {
    this.length = 0;
  }
}
