import { createServer, type Server, Socket } from 'node:net';

/**
 * A TCP proxy to a server (Redis, Postgres) that can be cut (every connection dropped, new
 * ones refused) and restored on the same port. `host` is the address it listens on: a veth's
 * address makes a service bound to loopback reachable from a network namespace.
 */
export class CuttableProxy {
  private server: Server | null = null;
  private readonly conns = new Set<Socket>();
  port = 0;
  constructor(
    private readonly target: { host: string; port: number },
    private readonly host = '127.0.0.1',
  ) {}

  async open(port = 0): Promise<void> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.conns.add(s);
        s.on('error', () => {});
        s.on('close', () => this.conns.delete(s));
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => this.server!.listen(port, this.host, r));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    for (const s of this.conns) s.destroy();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }

  restore(): Promise<void> {
    return this.open(this.port);
  }

  /** Stops for good (the end of a suite). */
  async close(): Promise<void> {
    if (this.server) await this.cut();
  }
}
