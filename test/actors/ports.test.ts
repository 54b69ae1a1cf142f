import { describe, expect, it } from 'vitest';
import { MemoryJournal, MemorySnapshots } from '../../src/actors/memory-ports.ts';
import { FencingError, type JournalEntry } from '../../src/actors/ports.ts';
import { BOOKED, HELD } from '../../src/domain/seat-status.ts';
import { DeltaCoalescer } from '../../src/seating/delta-coalescer.ts';

const entry = (seq: number): JournalEntry => ({
  seq,
  at: 1000 + seq,
  event: { type: 'SaleChanged', sale: 'open' },
});
const entries = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => entry(from + i));

describe('MemoryJournal', () => {
  it('given an event, when owners claim it in turn, then each gets a higher epoch, per event', async () => {
    const j = new MemoryJournal();
    expect(await j.claim('a')).toBe(1);
    expect(await j.claim('a')).toBe(2);
    expect(await j.claim('b')).toBe(1);
  });

  it('given the current owner, when it appends gap-free batches, then reads return them in order and in chunks', async () => {
    const j = new MemoryJournal();
    const epoch = await j.claim('a');
    await j.append('a', epoch, entries(1, 1500));
    await j.append('a', epoch, entries(1501, 2500));
    const chunks: number[][] = [];
    await j.read('a', 0, (es) => chunks.push(es.map((e) => e.seq)));
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 500]);
    expect(chunks.flat()).toEqual(entries(1, 2500).map((e) => e.seq));
    const after: number[] = [];
    await j.read('a', 2498, (es) => after.push(...es.map((e) => e.seq)));
    expect(after).toEqual([2499, 2500]);
  });

  it('given a newer owner, when the old one appends, then FencingError and nothing lands', async () => {
    const j = new MemoryJournal();
    const old = await j.claim('a');
    await j.append('a', old, entries(1, 2));
    const fresh = await j.claim('a');
    await expect(j.append('a', old, entries(3, 3))).rejects.toBeInstanceOf(FencingError);
    expect(j.entries('a').map((e) => e.seq)).toEqual([1, 2]);
    await j.append('a', fresh, entries(3, 3));
    expect(j.entries('a').map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('given entries up to seq 2, when a batch starts at 4 or repeats 2, then FencingError', async () => {
    const j = new MemoryJournal();
    const epoch = await j.claim('a');
    await j.append('a', epoch, entries(1, 2));
    await expect(j.append('a', epoch, entries(4, 4))).rejects.toBeInstanceOf(FencingError);
    await expect(j.append('a', epoch, entries(2, 3))).rejects.toBeInstanceOf(FencingError);
    expect(j.entries('a')).toHaveLength(2);
  });

  it('given failNext, when appending, then exactly the next append fails with that error and writes nothing', async () => {
    const j = new MemoryJournal();
    const epoch = await j.claim('a');
    const boom = new Error('boom');
    j.failNext = boom;
    await expect(j.append('a', epoch, entries(1, 1))).rejects.toBe(boom);
    expect(j.entries('a')).toHaveLength(0);
    await j.append('a', epoch, entries(1, 1));
    expect(j.entries('a')).toHaveLength(1);
  });
});

describe('MemorySnapshots', () => {
  it('given snapshots saved out of order, when the latest is asked for, then the highest version wins', async () => {
    const s = new MemorySnapshots();
    expect(await s.latest('a')).toBeNull();
    await s.save('a', { version: 5, bytes: new Uint8Array([5]) });
    await s.save('a', { version: 3, bytes: new Uint8Array([3]) });
    expect((await s.latest('a'))?.version).toBe(5);
    await s.save('a', { version: 9, bytes: new Uint8Array([9]) });
    expect(Array.from((await s.latest('a'))!.bytes)).toEqual([9]);
    expect(await s.latest('b')).toBeNull();
  });
});

describe('DeltaCoalescer', () => {
  it('given nothing committed, when taken, then null', () => {
    expect(new DeltaCoalescer('e', 10, 7).take()).toBeNull();
  });

  it('given a seat that changed several times in a tick, when taken, then it appears once with its latest status, in first-change order', () => {
    const c = new DeltaCoalescer('e', 10, 7);
    c.add([3, HELD, 1, HELD], [], 8, 100);
    c.add([3, 0], [0, 9], 9, 120);
    c.add([3, BOOKED, 5, HELD], [0, 7, 1, 2], 10, 130);
    expect(c.take()).toEqual({
      eventId: 'e',
      fromVersion: 8,
      toVersion: 10,
      seats: [3, BOOKED, 1, HELD, 5, HELD],
      areas: [0, 7, 1, 2],
      committedAt: 100,
    });
    expect(c.take()).toBeNull();
    c.add([1, 0], [], 11, 200);
    expect(c.take()?.committedAt).toBe(200); // the oldest change of this batch, not of the last
  });

  it('given successive ticks, when taken, then versions are contiguous, and a version without seat changes still yields a batch', () => {
    const c = new DeltaCoalescer('e', 10, 0);
    c.add([1, HELD], [], 1, 0);
    const a = c.take()!;
    c.add([], [], 2, 0); // e.g. an extendHold: no seat changed, but the version moved
    const b = c.take()!;
    c.add([1, 0], [], 4, 0);
    const d = c.take()!;
    expect([a, b, d].map((x) => [x.fromVersion, x.toVersion])).toEqual([
      [1, 1],
      [2, 2],
      [3, 4],
    ]);
    expect(b.seats).toEqual([]);
    expect(d.seats).toEqual([1, 0]);
  });
});
