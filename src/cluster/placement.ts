import { createHash } from 'node:crypto';

// Where an event runs: rendezvous (highest random weight) hashing over the live members,
// so every process computes the same owner from the same membership, and a member joining
// or leaving moves only the events it wins or held. Pure.

function weight(eventId: string, member: string): bigint {
  return createHash('sha256').update(`${eventId}\u0000${member}`).digest().readBigUInt64BE(0);
}

/** The member that should own the event; null with no member. */
export function placeEvent(eventId: string, members: readonly string[]): string | null {
  let best: string | null = null;
  let bestWeight = -1n;
  for (const m of members) {
    const w = weight(eventId, m);
    if (w > bestWeight || (w === bestWeight && best !== null && m < best)) {
      best = m;
      bestWeight = w;
    }
  }
  return best;
}
