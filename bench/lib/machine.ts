// What the machine was doing around a run. These machines are noisy: a figure is read next
// to the CPU it ran on and the load average before and after, which shows whether something
// else was running at the same time.
import { cpus, loadavg } from 'node:os';

const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

// Taken when the first bench module imports this one, i.e. as the run starts.
const atStart = load();

export interface Machine {
  cpu: { model: string; cores: number };
  /** 1, 5 and 15 minute load averages, at the start of the run and now. */
  loadavg: { start: number[]; end: number[] };
}

export function machine(): Machine {
  const all = cpus();
  return {
    cpu: { model: all[0]?.model.trim() ?? 'unknown', cores: all.length },
    loadavg: { start: atStart, end: load() },
  };
}
