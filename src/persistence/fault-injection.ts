import type { JournalPort } from '../actors/ports.ts';

/**
 * Delays every journal append, as a slow disk or a distant database would. Crash tests use
 * it (ONSALE_FAULT_APPEND_DELAY_MS) so that a kill lands while batches are in flight: if a
 * reply ever left before its batch was durable, the kill would lose it and the test fail.
 */
export function delayAppends(journal: JournalPort, ms: number): JournalPort {
  return {
    claim: (eventId) => journal.claim(eventId),
    read: (eventId, afterSeq, onEntries) => journal.read(eventId, afterSeq, onEntries),
    append: (eventId, epoch, entries, liveHolds) =>
      new Promise((resolve) => setTimeout(resolve, ms)).then(() =>
        journal.append(eventId, epoch, entries, liveHolds),
      ),
  };
}
