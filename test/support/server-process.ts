import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  logs: string[];
}

export interface StartOptions {
  timeoutMs?: number;
  /** A command the server runs under (e.g. `ip netns exec <ns>`). */
  prefix?: string[];
  /** The address the test reaches it at (default 127.0.0.1). */
  host?: string;
}

/** Starts the real server (`src/main.ts`) as a child process and waits until it listens. */
export async function startServerProcess(
  env: Record<string, string>,
  opts: number | StartOptions = {},
): Promise<ServerProcess> {
  const {
    timeoutMs = 30_000,
    prefix = [],
    host = '127.0.0.1',
  } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  const node = [process.execPath, '--max-semi-space-size=64', '--import', 'tsx', 'src/main.ts'];
  const [cmd, ...args] = [...prefix, ...node];
  const child = spawn(cmd, args, {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join('\n')}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      if (line.includes('"onsale listening"')) {
        clearTimeout(timer);
        resolve(JSON.parse(line).port as number);
      }
    });
    child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  return { child, port, url: `http://${host}:${port}`, exited, logs };
}

/** Waits until /readyz says every event has recovered. */
export async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server never became ready');
}
