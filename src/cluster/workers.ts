import { type ChildProcess, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import type { Logger } from 'pino';

// ONSALE_WORKERS=N: this process supervises N server processes on one machine. They listen
// on the same port (uWS sets SO_REUSEPORT: the kernel spreads connections among them) and
// are members of one cluster (ONSALE_REDIS_URL). A worker that dies is started again after
// a pause; SIGINT/SIGTERM stop them all cleanly.

const RESTART_MS = 1_000;

export function superviseWorkers(n: number, log: Logger): void {
  const children = new Map<number, ChildProcess>();
  let stopping = false;
  const start = (i: number) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...process.argv.slice(2)], {
      env: {
        ...process.env,
        ONSALE_WORKERS: '1',
        ONSALE_NODE_ID: process.env.ONSALE_NODE_ID
          ? `${process.env.ONSALE_NODE_ID}-w${i}`
          : `${hostname()}-w${i}`,
      },
      stdio: 'inherit',
    });
    children.set(i, child);
    child.once('exit', (code, signal) => {
      children.delete(i);
      if (stopping) {
        if (children.size === 0) process.exit(0);
        return;
      }
      log.error({ worker: i, code, signal }, 'worker exited; starting it again');
      setTimeout(() => start(i), RESTART_MS).unref();
    });
  };
  for (let i = 0; i < n; i++) start(i);
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: children.size }, 'stopping the workers');
    for (const c of children.values()) c.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  log.info({ workers: n }, 'onsale workers started');
}
