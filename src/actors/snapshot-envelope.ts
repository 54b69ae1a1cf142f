import { Packr } from 'msgpackr';
import type { Layout } from '../domain/chart.ts';
import type { Outcome } from '../domain/outcome.ts';
import { decodeState, encodeState } from '../domain/snapshot.ts';
import type { EventState } from '../domain/state.ts';

// What an actor snapshot stores: the domain state, plus the most recent idempotency keys
// with their outcomes, so a retry of a command from before the snapshot still gets its
// first answer after a restart.

const packr = new Packr({ useRecords: false, moreTypes: true });
/** Keys carried across a snapshot; older ones are only in the journal, which is pruned. */
export const SNAPSHOT_KEYS = 20_000;

export function encodeSnapshot(state: EventState, keys: Map<string, Outcome>): Uint8Array {
  const recent: [string, Outcome][] = [];
  let skip = keys.size - SNAPSHOT_KEYS;
  for (const entry of keys) if (skip-- <= 0) recent.push(entry);
  return packr.pack({ state: encodeState(state), keys: recent });
}

export function decodeSnapshot(
  layout: Layout,
  bytes: Uint8Array,
): { state: EventState; keys: [string, Outcome][] } {
  const body = packr.unpack(bytes) as { state: Uint8Array; keys: [string, Outcome][] };
  // Snapshots written before the event port stored whole outcomes (with seat deltas): keep
  // only what a caller is told.
  const keys = body.keys.map(([k, o]): [string, Outcome] => [k, o.ok ? { ok: true, value: o.value } : o]);
  return { state: decodeState(layout, body.state), keys };
}
