import type { JournalPort } from '../actors/ports.ts';

export interface JournalObserver {
  batch(commands: number): void;
  commit(seconds: number): void;
}

/** Reports each append's size and commit latency (for /metrics), passing everything through. */
export function observeJournal(journal: JournalPort, observe: JournalObserver): JournalPort {
  return {
    claim: (eventId) => journal.claim(eventId),
    read: (eventId, afterSeq, onEntries) => journal.read(eventId, afterSeq, onEntries),
    async append(eventId, epoch, entries, liveHolds) {
      const started = performance.now();
      await journal.append(eventId, epoch, entries, liveHolds);
      observe.batch(entries.length);
      observe.commit((performance.now() - started) / 1000);
    },
  };
}
