// The cluster's names in Redis, under one prefix (a deployment's, or a test's own).

export interface ClusterKeys {
  /** A member's liveness key (value: its info as JSON), expiring unless its heartbeat renews it. */
  member(id: string): string;
  /** The pattern matching every member key. */
  members: string;
  /** The event's lease: the owning member's id, expiring unless renewed. */
  lease(eventId: string): string;
  /** The channel a member hears its requests and replies on. */
  inbox(id: string): string;
  /** A write-limit token bucket (`ip:…`, `account:…`) shared by the members. */
  limit(key: string): string;
  /** The channel an event's committed seat changes and queue figures go out on. */
  event(eventId: string): string;
}

export function clusterKeys(prefix = 'onsale'): ClusterKeys {
  return {
    member: (id) => `${prefix}:member:${id}`,
    members: `${prefix}:member:*`,
    lease: (eventId) => `${prefix}:lease:${eventId}`,
    inbox: (id) => `${prefix}:inbox:${id}`,
    event: (eventId) => `${prefix}:event:${eventId}`,
    limit: (key) => `${prefix}:limit:${key}`,
  };
}
