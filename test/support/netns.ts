import { execFileSync } from 'node:child_process';

// Network namespaces for partition tests (iproute2's `ip netns`, veth pairs): a server
// process in a namespace of its own reaches the host only over the links made here, and a
// link taken down is a real partition: packets are lost, no connection is reset.

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Whether this machine lets the tests make namespaces (root and iproute2); a notice when not. */
export function netnsAvailable(): boolean {
  const probe = `onsale-probe-${process.pid}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return true;
  } catch (e) {
    console.warn(
      `[skip] network namespaces unavailable (${(e as Error).message.split('\n')[0]}); partition suites are skipped`,
    );
    return false;
  }
}

export interface Link {
  /** The host's end (where the host's relays listen). */
  hostIp: string;
  /** The namespace's end. */
  nsIp: string;
  hostDev: string;
}

/** A namespace with veth links to the host; `destroy()` removes it and its links. */
export class Namespace {
  readonly name: string;
  private readonly links: Link[] = [];
  /** A small number of this run's, for names and addresses no other run uses at once. */
  private readonly tag = process.pid % 200;

  constructor(label: string) {
    this.name = `onsale-${label}-${process.pid}`;
    ip('netns', 'add', this.name);
    ip('netns', 'exec', this.name, 'ip', 'link', 'set', 'lo', 'up');
  }

  /** A /30 link between the host and the namespace (`n`: which of this namespace's links). */
  link(n: number): Link {
    const hostDev = `osv${this.tag}h${n}`;
    const nsDev = `osv${this.tag}n${n}`;
    const net = `10.${231 + n}.${this.tag}`;
    const link: Link = { hostIp: `${net}.1`, nsIp: `${net}.2`, hostDev };
    ip('link', 'add', hostDev, 'type', 'veth', 'peer', 'name', nsDev);
    ip('link', 'set', nsDev, 'netns', this.name);
    ip('addr', 'add', `${link.hostIp}/30`, 'dev', hostDev);
    ip('link', 'set', hostDev, 'up');
    ip('netns', 'exec', this.name, 'ip', 'addr', 'add', `${link.nsIp}/30`, 'dev', nsDev);
    ip('netns', 'exec', this.name, 'ip', 'link', 'set', nsDev, 'up');
    this.links.push(link);
    return link;
  }

  /** Takes the link down at the host's end: nothing crosses it until heal(). */
  cut(link: Link): void {
    ip('link', 'set', link.hostDev, 'down');
  }

  heal(link: Link): void {
    ip('link', 'set', link.hostDev, 'up');
  }

  /** The command line that runs a program inside the namespace. */
  exec(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  destroy(): void {
    for (const l of this.links) {
      try {
        ip('link', 'del', l.hostDev);
      } catch {}
    }
    try {
      ip('netns', 'del', this.name);
    } catch {}
  }
}
