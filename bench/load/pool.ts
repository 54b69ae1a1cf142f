// Load-generating child processes: each is a forked worker module that answers requests
// ({id, cmd, arg} -> {id, ok, value | error}) over the IPC channel. Several processes lift
// the client side above one process's 20,000 open files and spread its CPU over the cores.
import { type ChildProcess, fork } from 'node:child_process';
import { setPriority } from 'node:os';

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export class Worker {
  private nextId = 1;
  private pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private exited: Promise<void>;

  constructor(
    readonly index: number,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`worker ${index}: ${m.error}`));
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        for (const p of this.pending.values())
          p.reject(new Error(`worker ${index} exited (${code ?? signal})`));
        this.pending.clear();
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  call<T>(cmd: string, arg: unknown = null): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, arg }, (err) => {
        if (err) {
          this.pending.delete(id);
          reject(err);
        }
      });
    });
  }

  /** Asks the worker to exit (it does when its IPC channel closes: profiles get written), then kills it. */
  async kill(graceMs = 3000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.disconnect();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
  }
}

/** BENCH_WORKER_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, to see where a load process's time goes. */
function workerNodeArgs(): string[] {
  return (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Forks `count` workers of a module under bench/load (TypeScript through tsx). They run at
 * nice 10: they share the cores with the server under test, which must not wait for them
 * to be scheduled (what they measure may then include their own wait, never the server's).
 */
export function forkWorkers(module: string, count: number): Worker[] {
  const path = new URL(module, import.meta.url);
  return Array.from({ length: count }, (_, i) => {
    const child = fork(path, [String(i)], {
      execArgv: ['--max-semi-space-size=64', ...workerNodeArgs(), '--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    if (child.pid) setPriority(child.pid, LOAD_NICE);
    return new Worker(i, child);
  });
}

const LOAD_NICE = 10;

export async function killAll(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.kill()));
}

/** Worker side: answers the parent's requests with `handlers`; exits when the parent goes. */
export function serve(handlers: Record<string, (arg: never) => unknown>): void {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: { id: number; cmd: string; arg: unknown }) => {
    const h = handlers[m.cmd];
    const send = (r: Reply) => process.send?.(r);
    if (!h) return send({ id: m.id, ok: false, error: `unknown command ${m.cmd}` });
    Promise.resolve()
      .then(() => h(m.arg as never))
      .then(
        (value) => send({ id: m.id, ok: true, value }),
        (e: unknown) => send({ id: m.id, ok: false, error: e instanceof Error ? e.stack : String(e) }),
      );
  });
}

/** Source addresses for client sockets: 127.0.0.2, 127.0.0.3, … (each gives ~28k ports). */
export function sourceAddress(i: number): string {
  return `127.0.0.${2 + i}`;
}

/** Splits `total` into `parts` near-equal shares. */
export function shares(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}
