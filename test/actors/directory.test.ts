import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Directory } from '../../src/actors/directory.ts';
import { MemorySnapshots } from '../../src/actors/memory-ports.ts';
import { noDeltas } from '../../src/actors/ports.ts';
import type { Command } from '../../src/domain/commands.ts';
import type { Outcome } from '../../src/domain/outcome.ts';
import { EVENT_ID, type Harness, harness, TestJournal } from '../support/actors.ts';
import { fixtureLayout, PRICES } from '../support/fixture.ts';

const code = (o: Outcome) => (o.ok ? 'ok' : o.error.code);
const boom = { type: 'boom' } as unknown as Command;

const open: Directory[] = [];
let current: Harness | undefined;
afterEach(async () => {
  if (current) await current.directory.close();
  current = undefined;
  for (const d of open.splice(0)) await d.close();
});

describe('Directory', () => {
  it('given an open event, when it is opened again, then that is refused, and it is listed once', () => {
    current = harness();
    expect(() =>
      current!.directory.open({ eventId: EVENT_ID, layout: fixtureLayout(), prices: PRICES }),
    ).toThrow(/already open/);
    expect(current.directory.ids()).toEqual([EVENT_ID]);
    expect(current.directory.get(EVENT_ID)).toBe(current.event);
  });

  it('given an actor that keeps crashing, when it crashes a sixth time within a minute, then it is stopped for good', async () => {
    current = harness();
    const { event, directory } = current;
    for (let i = 0; i < 5; i++) {
      expect(code(await event.submit(boom))).toBe('UNAVAILABLE');
      // Still restarting: a real command works after each crash.
      expect(code(await event.submit({ type: 'hold', holdId: `h${i}`, fanId: `f${i}`, seats: [i] }))).toBe(
        'ok',
      );
    }
    expect(code(await event.submit(boom))).toBe('UNAVAILABLE');
    expect(event.stopped).toBe(true);
    expect(directory.get(EVENT_ID)).toBeUndefined();
    const out = await event.submit({ type: 'hold', holdId: 'late', fanId: 'late', seats: [9] });
    expect(out.ok ? 'ok' : out.error).toEqual({ code: 'UNAVAILABLE', message: 'the event is not running' });
  });

  it('given two owners of one event on a shared journal, when the older one appends after the takeover, then its batch is fenced off (UNAVAILABLE) and never lands', async () => {
    const journal = new TestJournal();
    const deps = {
      journal,
      snapshots: new MemorySnapshots(),
      deltas: noDeltas,
      log: pino({ level: 'silent' }),
    };
    const spec = { eventId: 'shared', layout: fixtureLayout(), prices: PRICES };
    const first = new Directory(deps);
    const second = new Directory(deps);
    open.push(first, second);
    const a = first.open(spec);
    expect(code(await a.submit({ type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] }))).toBe('ok');
    const b = second.open(spec);
    expect(await b.read((s) => s.version)).toBe(1); // the new owner recovered ann's hold
    expect(code(await a.submit({ type: 'hold', holdId: 'h2', fanId: 'bob', seats: [1] }))).toBe(
      'UNAVAILABLE',
    );
    expect(journal.entries('shared').map((e) => e.command)).toEqual([
      { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] },
    ]);
  });

  it('given an open event with pending work, when the directory closes, then everything is drained and a final snapshot saved', async () => {
    current = harness();
    const { event, directory, snapshots } = current;
    const pending = event.submit({ type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0] });
    await directory.close();
    expect(code(await pending)).toBe('ok');
    expect((await snapshots.latest(EVENT_ID))?.version).toBe(1);
    expect(directory.ids()).toEqual([]);
    current = undefined;
  });
});
