import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Directory } from '../../src/actors/directory.ts';
import type { EventSpec } from '../../src/actors/event-runtime.ts';
import { MemorySnapshots } from '../../src/actors/memory-ports.ts';
import type { Command } from '../../src/domain/commands.ts';
import type { Outcome } from '../../src/domain/outcome.ts';
import { EVENT_ID, entriesAfter, type Harness, harness, sleep, TestJournal } from '../support/actors.ts';
import { fixtureLayout, PRICES } from '../support/fixture.ts';

const code = (o: Outcome) => (o.ok ? 'ok' : o.error.code);
const boom = { type: 'boom' } as unknown as Command;
const log = pino({ level: 'silent' });

const open: Directory[] = [];
let current: Harness | undefined;
afterEach(async () => {
  if (current) {
    await current.directory.close();
    current.feed.close();
  }
  current = undefined;
  for (const d of open.splice(0)) await d.close();
});

function directory(journal = new TestJournal(), opts: ConstructorParameters<typeof Directory>[1] = {}) {
  const d = new Directory({ journal, snapshots: new MemorySnapshots(), log }, opts);
  open.push(d);
  return d;
}

describe('Directory', () => {
  it('given an open event, when it is opened again, then that is refused, and it is listed once', async () => {
    current = await harness();
    expect(() =>
      current!.directory.open({ eventId: EVENT_ID, layout: fixtureLayout(), prices: PRICES }),
    ).toThrow(/already open/);
    expect(current.directory.ids()).toEqual([EVENT_ID]);
    expect(current.directory.get(EVENT_ID)).toBe(current.event);
  });

  it('given an actor that keeps crashing, when it crashes a sixth time within a minute, then it is stopped for good', async () => {
    current = await harness();
    const { event, directory } = current;
    for (let i = 0; i < 5; i++) {
      expect(code(await event.submitOne(boom))).toBe('UNAVAILABLE');
      // Still restarting: a real command works after each crash.
      expect(code(await event.submitOne({ type: 'hold', holdId: `h${i}`, fanId: `f${i}`, seats: [i] }))).toBe(
        'ok',
      );
    }
    expect(code(await event.submitOne(boom))).toBe('UNAVAILABLE');
    expect(event.status).toBe('stopped');
    expect(directory.get(EVENT_ID)).toBeUndefined();
    const out = await event.submitOne({ type: 'hold', holdId: 'late', fanId: 'late', seats: [9] });
    expect(out.ok ? 'ok' : out.error).toEqual({ code: 'UNAVAILABLE', message: 'the event is not running' });
  });

  it('given two owners of one event on a shared journal, when the older one appends after the takeover, then its batch is fenced off (UNAVAILABLE) and never lands', async () => {
    const journal = new TestJournal();
    const spec = { eventId: 'shared', layout: fixtureLayout(), prices: PRICES };
    const first = directory(journal);
    const second = directory(journal);
    const a = first.open(spec);
    expect(code(await a.submitOne({ type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] }))).toBe('ok');
    const b = second.open(spec);
    expect((await b.query('availability', {})).version).toBe(3); // the new owner recovered ann's hold
    expect(code(await a.submitOne({ type: 'hold', holdId: 'h2', fanId: 'bob', seats: [1] }))).toBe(
      'UNAVAILABLE',
    );
    expect(entriesAfter(journal, 2, 'shared').map((e) => e.event.type)).toEqual(['SeatsHeld']);
  });

  it('given an open event with pending work, when the directory closes, then everything is drained and a final snapshot saved', async () => {
    current = await harness();
    const { event, directory, snapshots, base } = current;
    const pending = event.submitOne({ type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
    await directory.close();
    expect(code(await pending)).toBe('ok');
    expect((await snapshots.latest(EVENT_ID))?.version).toBe(base + 1);
    expect(directory.ids()).toEqual([]);
    current.feed.close();
    current = undefined;
  });
});

describe('Directory: actors on demand', () => {
  const specOf = (eventId: string, over: Partial<EventSpec> = {}): EventSpec => ({
    eventId,
    layout: fixtureLayout(),
    prices: PRICES,
    ...over,
  });

  it('given a spec source, when an event is first used, then its actor starts once (concurrent callers share it), and unknown events are null', async () => {
    const source = vi.fn(async (id: string) =>
      id.startsWith('ev') ? { spec: specOf(id), meta: { id } } : null,
    );
    const d = directory(new TestJournal(), { specs: source });
    expect(d.ids()).toEqual([]);
    const [a, b] = await Promise.all([d.event('ev1'), d.event('ev1')]);
    expect(a).toBe(b);
    expect(a?.meta).toEqual({ id: 'ev1' });
    expect(source).toHaveBeenCalledTimes(1);
    expect(await d.event('nope')).toBeNull();
    expect(d.ids()).toEqual(['ev1']);
    expect(code(await a!.submitOne({ type: 'hold', holdId: 'h', fanId: 'ann', seats: [0] }))).toBe('ok');
  });

  it('given a quiet actor (sale not open, no holds) unused past the idle time, then it is stopped with a snapshot, and the next use starts it again where it was', async () => {
    const journal = new TestJournal();
    const snapshots = new MemorySnapshots();
    const d = new Directory(
      { journal, snapshots, log },
      {
        specs: async (id) => ({ spec: specOf(id, { sale: 'closed' }), meta: null }),
        idleMs: 30,
        sweepMs: 10,
      },
    );
    open.push(d);
    const h = (await d.event('quiet'))!;
    expect((await h.query('availability', {})).sale).toBe('closed');
    await vi.waitFor(() => expect(d.ids()).toEqual([]), { timeout: 2000 });
    expect(h.status).toBe('stopped');
    expect((await snapshots.latest('quiet'))?.version).toBe(1); // prices set; the sale was already closed
    const again = (await d.event('quiet'))!;
    expect(again).not.toBe(h);
    expect((await again.query('availability', {})).version).toBe(1);
  });

  it('given an actor with an open sale, a live hold, or a keep-alive, then it is not stopped however long it idles', async () => {
    let watched = true;
    const d = directory(new TestJournal(), {
      specs: async (id) => ({ spec: specOf(id, { sale: id === 'onsale' ? 'open' : 'closed' }), meta: null }),
      idleMs: 20,
      sweepMs: 10,
      keepAlive: (id) => id === 'watched' && watched,
    });
    const onSale = (await d.event('onsale'))!;
    await d.event('watched');
    const held = (await d.event('held'))!;
    // A hold needs an open sale: open it, hold, close it again.
    await held.submitOne({ type: 'setSale', status: 'open' });
    expect(code(await held.submitOne({ type: 'hold', holdId: 'h', fanId: 'ann', seats: [0] }))).toBe('ok');
    await held.submitOne({ type: 'setSale', status: 'closed' });
    await sleep(150);
    expect(d.ids().sort()).toEqual(['held', 'onsale', 'watched']);
    expect(onSale.status).toBe('ready');
    watched = false;
    await vi.waitFor(() => expect(d.ids().sort()).toEqual(['held', 'onsale']), { timeout: 2000 });
  });

  it('given an event starting from a spec, when a change is sent while it starts, then the change is applied after the spec, never overwritten by it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const d = directory(new TestJournal(), {
      specs: async (id) => {
        await gate; // the spec was read before the change below was made
        return { spec: specOf(id, { sale: 'closed' }), meta: null };
      },
    });
    const starting = d.event('ev');
    const sent = d.running('ev').then((h) => h!.submitOne({ type: 'setSale', status: 'open' }));
    release();
    await starting;
    expect(code(await sent)).toBe('ok');
    expect((await (await starting)!.query('availability', {})).sale).toBe('open');
    expect(await d.running('other')).toBeNull();
  });
});
