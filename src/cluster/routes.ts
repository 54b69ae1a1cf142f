import type { Router } from '../gateway/router.ts';
import type { MemberInfo } from './membership.ts';
import type { ClusterNode } from './node.ts';

// GET /api/cluster (admins): the members, their events and sockets, and every lease with the
// time it has left. One process alone (no ONSALE_REDIS_URL) reports itself as the only member.

export interface ClusterRouteDeps {
  node: ClusterNode | null;
  /** This process, as a member, when it runs alone. */
  single(): { member: MemberInfo; events: string[] };
}

export function clusterRoutes(router: Router, deps: ClusterRouteDeps): void {
  router.get('/api/cluster', { auth: ['admin'] }, async () => {
    const { node } = deps;
    if (!node) {
      const { member, events } = deps.single();
      return {
        headers: { 'cache-control': 'no-store' },
        body: {
          mode: 'single',
          me: member.id,
          members: [member],
          leases: events.map((eventId) => ({ eventId, owner: member.id, ttlMs: null })),
        },
      };
    }
    const [members, leases] = await Promise.all([node.members(), node.leases.list()]);
    return {
      headers: { 'cache-control': 'no-store' },
      body: { mode: 'cluster', me: node.id, members, leases },
    };
  });
}
