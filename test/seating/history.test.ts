import { afterEach, describe, expect, it } from 'vitest';
import { readHistory } from '../../src/seating/history.ts';
import { EVENT_ID, type Harness, harness } from '../support/actors.ts';
import { fixtureLayout } from '../support/fixture.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.directory.close();
  h?.feed.close();
  h = undefined;
});

/** A seat's life: held and released by ann, held by bob, booked, transferred to cat; ann's GA hold; a block elsewhere. */
async function story(): Promise<Harness> {
  h = await harness();
  const e = h.event;
  const ok = async (p: ReturnType<typeof e.submitOne>) => expect((await p).ok).toBe(true);
  await ok(e.submitOne({ type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1] }));
  await ok(e.submitOne({ type: 'release', holdId: 'h1', fanId: 'ann' }));
  await ok(e.submitOne({ type: 'hold', holdId: 'h2', fanId: 'bob', seats: [0] }));
  await ok(e.submitOne({ type: 'book', holdId: 'h2', fanId: 'bob', orderId: 'o1' }));
  await ok(e.submitOne({ type: 'transfer', orderId: 'o1', fromFanId: 'bob', toFanId: 'cat' }));
  await ok(e.submitOne({ type: 'holdGa', holdId: 'g1', fanId: 'ann', area: 'FLOOR', count: 2 }));
  await ok(e.submitOne({ type: 'block', seats: [5] }, { by: 'operator-1' }));
  await e.drain();
  return h;
}

const types = (page: { items: { type: string }[] }) => page.items.map((i) => i.type);

describe('history from the journal', () => {
  it('given a seat that changed hands, when its history is asked for, then every event about it in order, with public seat ids and times', async () => {
    const { journal } = await story();
    const page = await readHistory(journal, EVENT_ID, fixtureLayout(), { seat: 0 });
    expect(types(page)).toEqual([
      'SeatsHeld',
      'HoldReleased',
      'SeatsHeld',
      'SeatsBooked',
      'SeatsTransferred',
    ]);
    expect(page.items[0]).toMatchObject({
      type: 'SeatsHeld',
      detail: { holdId: 'h1', fanId: 'ann', seats: ['S1-A-1', 'S1-A-2'], together: true },
    });
    expect(page.items[0].at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(page.items[4].detail).toEqual({
      orderId: 'o1',
      fromFanId: 'bob',
      toFanId: 'cat',
      seats: ['S1-A-1'],
    });
    expect(page.next).toBeNull();
  });

  it('given a fan, an order, or an operator action, then their events; filters combine', async () => {
    const { journal } = await story();
    const layout = fixtureLayout();
    expect(types(await readHistory(journal, EVENT_ID, layout, { fanId: 'ann' }))).toEqual([
      'SeatsHeld',
      'HoldReleased',
      'PlacesHeld',
    ]);
    expect(types(await readHistory(journal, EVENT_ID, layout, { orderId: 'o1' }))).toEqual([
      'SeatsBooked',
      'SeatsTransferred',
    ]);
    expect(types(await readHistory(journal, EVENT_ID, layout, { fanId: 'cat', orderId: 'o1' }))).toEqual([
      'SeatsTransferred',
    ]);
    const blocked = await readHistory(journal, EVENT_ID, layout, { seat: 5 });
    expect(blocked.items).toEqual([
      expect.objectContaining({ type: 'SeatsBlocked', by: 'operator-1', detail: { seats: ['S1-A-6'] } }),
    ]);
    const ga = (await readHistory(journal, EVENT_ID, layout, { fanId: 'ann' })).items[2];
    expect(ga.detail).toMatchObject({ area: 'FLOOR', places: 2 });
    expect(await readHistory(journal, EVENT_ID, layout, { fanId: 'nobody' })).toEqual({
      items: [],
      next: null,
    });
  });

  it('given more matches than a page, then pages follow each other through the cursor without gaps or repeats', async () => {
    const { journal } = await story();
    const layout = fixtureLayout();
    const all = await readHistory(journal, EVENT_ID, layout, {});
    expect(all.items.map((i) => i.seq)).toEqual(Array.from({ length: 9 }, (_, i) => i + 1)); // prices, sale, 7 commands
    const seen: number[] = [];
    let after: number | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await readHistory(journal, EVENT_ID, layout, {}, { after, limit: 4 });
      seen.push(...page.items.map((i) => i.seq));
      if (page.next === null) break;
      after = page.next;
    }
    expect(seen).toEqual(all.items.map((i) => i.seq));
  });
});
