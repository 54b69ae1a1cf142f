import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ADMITTED,
  advance,
  configure,
  createQueue,
  heartbeat,
  join,
  openSale,
  type QueueState,
  SKIPPED,
  seconds,
} from '../../src/waiting-room/queue.ts';

// Properties of the deli counter over random schedules of time steps, rate changes, late
// joins and silences.

const T0 = 1_900_000_000_000;
const OPTS = { graceSeconds: 60, accessSeconds: 600 };

const step = fc.record({
  dt: fc.integer({ min: 0, max: 3000 }),
  rate: fc.double({ min: 0, max: 40, noNaN: true }),
  joins: fc.integer({ min: 0, max: 3 }),
});

/** Tickets passed by the last advance, with their account and outcome. */
function passed(q: QueueState, from: number): { account: string; admitted: boolean }[] {
  const out = [];
  for (let t = from + 1; t <= q.serving; t++) {
    const f = q.flags[t];
    expect((f & ADMITTED) !== 0, `ticket ${t} has exactly one outcome`).not.toBe((f & SKIPPED) !== 0);
    out.push({ account: q.accounts[t], admitted: (f & ADMITTED) !== 0 });
  }
  return out;
}

describe('waiting room properties', () => {
  it('every pre-queued fan is admitted exactly once, in the lottery order, and admission never exceeds the rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.string({ maxLength: 12 }),
        fc.array(step, { maxLength: 60 }),
        (n, seed, steps) => {
          const q = createQueue(OPTS, T0, 8);
          configure(q, { enabled: true, rate: 0 }, T0);
          const early = Array.from({ length: n }, (_, i) => `early${i}`);
          for (const f of early) join(q, f, T0);
          openSale(q, seed, T0);
          const lottery = q.accounts.slice(1, n + 1);
          expect([...lottery].sort()).toEqual([...early].sort());

          const everyone = [...early];
          const admitted: string[] = [];
          const log: { allowed: number; admitted: number }[] = [];
          let t = T0;
          let late = 0;
          const run = (dt: number, rate: number) => {
            t += dt;
            for (const f of everyone) heartbeat(q, f, t); // nobody goes quiet here
            const before = q.serving;
            const r = advance(q, t, rate);
            const outcome = passed(q, before);
            expect(outcome.every((o) => o.admitted)).toBe(true);
            expect(r.admitted).toBe(outcome.length);
            admitted.push(...outcome.map((o) => o.account));
            log.push({ allowed: (rate * dt) / 1000, admitted: r.admitted });
          };
          for (const s of steps) {
            run(s.dt, s.rate);
            for (let j = 0; j < s.joins; j++) {
              const f = `late${late++}`;
              everyone.push(f);
              join(q, f, t);
            }
          }
          while (q.serving < q.last) run(1000, 25);

          // exactly once each, pre-queue first in lottery order, then first come first served
          expect(admitted).toEqual([...lottery, ...everyone.slice(n)]);
          expect(new Set(admitted).size).toBe(everyone.length);
          // over every window of consecutive steps: admissions <= rate x time + 1
          for (let i = 0; i < log.length; i++) {
            let allowed = 0;
            let got = 0;
            for (let j = i; j < log.length; j++) {
              allowed += log[j].allowed;
              got += log[j].admitted;
              expect(got).toBeLessThanOrEqual(allowed + 1 + 1e-9);
            }
          }
          // and in total, since opening, never more than rate x time
          const total = log.reduce((s, l) => s + l.allowed, 0);
          expect(admitted.length).toBeLessThanOrEqual(total + 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a fan is skipped exactly when they were silent past the grace period as their turn came; a skipped fan who rejoins goes to the end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 40_000 }),
            alive: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
            rejoin: fc.boolean(),
          }),
          { maxLength: 40 },
        ),
        (n, steps) => {
          const q = createQueue(OPTS, T0, 8);
          configure(q, { enabled: true, rate: 0.5 }, T0);
          openSale(q, 'p', T0);
          const lastSeen = new Map<string, number>();
          const fans = Array.from({ length: n }, (_, i) => `f${i}`);
          for (const f of fans) {
            join(q, f, T0);
            lastSeen.set(f, seconds(T0));
          }
          let t = T0;
          for (const s of steps) {
            t += s.dt;
            fans.forEach((f, i) => {
              const tk = q.byAccount.get(f)!;
              if (s.alive[i % 40] && tk > q.serving) {
                heartbeat(q, f, t);
                lastSeen.set(f, seconds(t));
              }
            });
            const before = q.serving;
            const r = advance(q, t);
            const outcome = passed(q, before);
            for (const o of outcome) {
              const silent = seconds(t) - lastSeen.get(o.account)!;
              expect(o.admitted, `${o.account} silent ${silent}s`).toBe(silent <= OPTS.graceSeconds);
            }
            expect(r.skipped.length).toBe(outcome.filter((o) => !o.admitted).length);
            if (s.rejoin && r.skipped.length > 0) {
              const who = q.accounts[r.skipped[0]];
              const lastBefore = q.last;
              expect(join(q, who, t)).toEqual({ ticket: lastBefore + 1, fresh: true });
              lastSeen.set(who, seconds(t));
            }
          }
          // every account maps to its newest ticket, and every ticket up to serving is decided
          for (const f of fans) expect(q.accounts[q.byAccount.get(f)!]).toBe(f);
          for (let tk = 1; tk <= q.serving; tk++) expect(q.flags[tk] & (ADMITTED | SKIPPED)).not.toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
