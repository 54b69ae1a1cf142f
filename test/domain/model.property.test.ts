import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply } from '../../src/domain/apply.ts';
import type { Chart } from '../../src/domain/chart.ts';
import type { BestFilter, Command } from '../../src/domain/commands.ts';
import { ERROR_CODES, type ErrorCode } from '../../src/domain/errors.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { evolve } from '../../src/domain/evolve.ts';
import { nextExpiry } from '../../src/domain/holds.ts';
import type { Outcome } from '../../src/domain/outcome.ts';
import { AVAILABLE, BOOKED, HELD, RESALE } from '../../src/domain/seat-status.ts';
import { decodeState, encodeState } from '../../src/domain/snapshot.ts';
import { createState, type EventConfig, type EventState, fanTickets } from '../../src/domain/state.ts';
import { CONFIG, fixtureChart, fixtureLayout, PRICES, T0 } from '../support/fixture.ts';

// A deliberately plain reference model of the seat-map rules: arrays of objects, Maps,
// strings for statuses and names, no typed arrays, no interning, no heap. The real domain
// and the model get the same random command sequences and must agree at every step.

type Status = 'available' | 'held' | 'booked' | 'blocked' | 'notForSale' | 'resale';
const STATUS_CODE: Record<Status, number> = {
  available: 0,
  held: 1,
  booked: 2,
  blocked: 3,
  notForSale: 4,
  resale: 5,
};

interface SeatInfo {
  row: number;
  section: string;
  category: string;
  accessible: boolean;
  companion: boolean;
  dist: number;
}
interface MSeat {
  status: Status;
  owner: string | null;
  order: string | null;
}
interface MHold {
  id: string;
  fan: string;
  seats: number[];
  area: string | null;
  places: number;
  createdAt: number;
  expiresAt: number;
}
interface MOrder {
  id: string;
  fan: string;
  seats: number[];
  places: Record<string, number>;
}
type Result = { ok: true } | { ok: false; code: ErrorCode };

const OK: Result = { ok: true };
const no = (code: ErrorCode): Result => ({ ok: false, code });

class Model {
  readonly info: SeatInfo[] = [];
  readonly rows: number[][] = [];
  readonly rowMinDist: number[] = [];
  readonly seats: MSeat[] = [];
  readonly holds = new Map<string, MHold>();
  readonly orders = new Map<string, MOrder>();
  readonly areas = new Map<string, { capacity: number; category: string; held: number; booked: number }>();
  readonly categories: string[];
  /** Seats an operator took out of the inventory. */
  readonly withdrawn = new Set<number>();
  sale: 'open' | 'presale' | 'paused' | 'closed' = 'open';
  version = 0;

  constructor(
    chart: Chart,
    public prices: Record<string, number>,
    readonly config: EventConfig,
  ) {
    this.categories = chart.categories.map((c) => c.id);
    for (const section of chart.sections) {
      for (const row of section.rows) {
        const r = this.rows.length;
        const nums: number[] = [];
        for (const seat of row.seats) {
          nums.push(this.info.length);
          this.info.push({
            row: r,
            section: section.id,
            category: seat.category,
            accessible: seat.accessible === true,
            companion: seat.companion === true,
            dist: Math.hypot(seat.x - chart.focal.x, seat.y - chart.focal.y),
          });
          this.seats.push({
            status: this.priced(seat.category) ? 'available' : 'notForSale',
            owner: null,
            order: null,
          });
        }
        this.rows.push(nums);
        this.rowMinDist.push(Math.min(...nums.map((n) => this.info[n].dist)));
      }
    }
    for (const a of chart.gaAreas) {
      this.areas.set(a.id, { capacity: a.capacity, category: a.category, held: 0, booked: 0 });
    }
  }

  priced(category: string): boolean {
    return this.prices[category] !== undefined;
  }

  /** What a freed seat becomes: for sale only when priced and not withdrawn. */
  freeStatus(s: number): Status {
    return this.withdrawn.has(s) || !this.priced(this.info[s].category) ? 'notForSale' : 'available';
  }

  fanCount(fan: string): number {
    let n = this.seats.filter((s) => s.owner === fan).length;
    for (const h of this.holds.values()) if (h.fan === fan) n += h.places;
    for (const o of this.orders.values()) {
      if (o.fan === fan) for (const p of Object.values(o.places)) n += p;
    }
    return n;
  }

  checkSeats(seats: number[]): ErrorCode | null {
    for (let i = 0; i < seats.length; i++) {
      const s = seats[i];
      if (!Number.isInteger(s) || s < 0 || s >= this.seats.length) return 'UNKNOWN_SEAT';
      if (seats.slice(0, i).includes(s)) return 'DUPLICATE_SEAT';
    }
    return null;
  }

  newHoldRule(holdId: string, fan: string, count: number, presale: boolean | undefined): ErrorCode | null {
    if (this.sale === 'presale' && !presale) return 'PRESALE_ONLY';
    if (this.sale !== 'open' && this.sale !== 'presale') return 'SALE_NOT_OPEN';
    if (this.holds.has(holdId)) return 'HOLD_EXISTS';
    if (count > this.config.maxPerOrder) return 'LIMIT_PER_ORDER';
    if (this.fanCount(fan) + count > this.config.maxPerFan) return 'LIMIT_PER_FAN';
    return null;
  }

  addHold(id: string, fan: string, seats: number[], area: string | null, places: number, now: number): void {
    this.holds.set(id, {
      id,
      fan,
      seats,
      area,
      places,
      createdAt: now,
      expiresAt: now + this.config.holdTtlMs,
    });
    for (const s of seats) this.seats[s] = { status: 'held', owner: fan, order: null };
    if (area !== null) this.areas.get(area)!.held += places;
  }

  dropHold(h: MHold): void {
    for (const s of h.seats) this.seats[s] = { status: this.freeStatus(s), owner: null, order: null };
    if (h.area !== null) this.areas.get(h.area)!.held -= h.places;
    this.holds.delete(h.id);
  }

  ownHold(holdId: string, fan: string): MHold | ErrorCode {
    const h = this.holds.get(holdId);
    if (!h) return 'HOLD_NOT_FOUND';
    if (h.fan !== fan) return 'NOT_HOLDER';
    return h;
  }

  /** Applies a command; for holdBest it checks and adopts the domain's choice. */
  step(cmd: Command, now: number, real: Outcome): Result {
    const r = this.dispatch(cmd, now, real);
    if (r.ok) this.version++;
    return r;
  }

  private dispatch(cmd: Command, now: number, real: Outcome): Result {
    switch (cmd.type) {
      case 'hold': {
        const bad =
          this.checkSeats(cmd.seats) ??
          this.newHoldRule(cmd.holdId, cmd.fanId, cmd.seats.length, cmd.presale);
        if (bad) return no(bad);
        for (const s of cmd.seats) {
          if (this.seats[s].status !== 'available' || !this.priced(this.info[s].category)) {
            return no('SEAT_UNAVAILABLE');
          }
        }
        const companion = cmd.seats.some((s) => this.info[s].companion);
        const accessible = cmd.seats.some((s) => this.info[s].accessible);
        if (companion && !accessible) return no('COMPANION_WITHOUT_ACCESSIBLE');
        this.addHold(cmd.holdId, cmd.fanId, [...cmd.seats], null, 0, now);
        return OK;
      }
      case 'holdBest':
        return this.holdBest(cmd, now, real);
      case 'holdGa': {
        const area = this.areas.get(cmd.area);
        if (!area) return no('UNKNOWN_AREA');
        const bad = this.newHoldRule(cmd.holdId, cmd.fanId, cmd.count, cmd.presale);
        if (bad) return no(bad);
        if (!this.priced(area.category)) return no('SEAT_UNAVAILABLE');
        if (area.capacity - area.held - area.booked < cmd.count) return no('GA_SOLD_OUT');
        this.addHold(cmd.holdId, cmd.fanId, [], cmd.area, cmd.count, now);
        return OK;
      }
      case 'extendHold': {
        const h = this.ownHold(cmd.holdId, cmd.fanId);
        if (typeof h === 'string') return no(h);
        if (h.expiresAt <= now) return no('HOLD_EXPIRED');
        const next = Math.min(h.expiresAt + cmd.byMs, h.createdAt + this.config.maxHoldMs);
        if (next <= h.expiresAt) return no('HOLD_EXTEND_LIMIT');
        h.expiresAt = next;
        return OK;
      }
      case 'release': {
        const h = this.ownHold(cmd.holdId, cmd.fanId);
        if (typeof h === 'string') return no(h);
        this.dropHold(h);
        return OK;
      }
      case 'expire': {
        const due = [...this.holds.values()].filter((h) => h.expiresAt <= now);
        if (due.length === 0) return no('NOTHING_DUE');
        for (const h of due) this.dropHold(h);
        return OK;
      }
      case 'book': {
        const h = this.ownHold(cmd.holdId, cmd.fanId);
        if (typeof h === 'string') return no(h);
        if (h.expiresAt <= now) return no('HOLD_EXPIRED');
        const existing = this.orders.get(cmd.orderId);
        if (existing && existing.fan !== h.fan) return no('NOT_OWNER');
        const size = existing
          ? existing.seats.length + Object.values(existing.places).reduce((a, b) => a + b, 0)
          : 0;
        if (size + h.seats.length + h.places > this.config.maxPerOrder) return no('LIMIT_PER_ORDER');
        const order = existing ?? { id: cmd.orderId, fan: h.fan, seats: [], places: {} };
        this.orders.set(order.id, order);
        for (const s of h.seats) {
          this.seats[s] = { status: 'booked', owner: h.fan, order: order.id };
          order.seats.push(s);
        }
        if (h.area !== null) {
          const area = this.areas.get(h.area)!;
          area.held -= h.places;
          area.booked += h.places;
          order.places[h.area] = (order.places[h.area] ?? 0) + h.places;
        }
        this.holds.delete(h.id);
        return OK;
      }
      case 'cancelBooking': {
        const order = this.orders.get(cmd.orderId);
        if (!order) return no('ORDER_NOT_FOUND');
        if (cmd.seats) {
          const bad = this.checkSeats(cmd.seats);
          if (bad) return no(bad);
          if (cmd.seats.some((s) => this.seats[s].order !== order.id)) return no('SEAT_NOT_IN_ORDER');
        }
        const seats = cmd.seats ?? [...order.seats];
        const places = Object.values(order.places).reduce((a, b) => a + b, 0);
        if (seats.length === 0 && (cmd.seats !== undefined || places === 0)) return no('ORDER_NOT_FOUND');
        for (const s of seats) this.seats[s] = { status: this.freeStatus(s), owner: null, order: null };
        order.seats = order.seats.filter((s) => !seats.includes(s));
        if (cmd.seats === undefined) {
          for (const [area, n] of Object.entries(order.places)) this.areas.get(area)!.booked -= n;
          order.places = {};
        }
        return OK;
      }
      case 'transfer': {
        if (cmd.fromFanId === cmd.toFanId) return no('INVALID_COMMAND');
        const order = this.orders.get(cmd.orderId);
        if (!order) return no('ORDER_NOT_FOUND');
        if (cmd.seats) {
          const bad = this.checkSeats(cmd.seats);
          if (bad) return no(bad);
          if (cmd.seats.some((s) => this.seats[s].order !== order.id)) return no('SEAT_NOT_IN_ORDER');
        }
        const seats = cmd.seats ?? order.seats.filter((s) => this.seats[s].owner === cmd.fromFanId);
        if (seats.length === 0) return no('NOT_OWNER');
        for (const s of seats) {
          if (this.seats[s].owner !== cmd.fromFanId) return no('NOT_OWNER');
          // A listed seat goes only to a buyer of its listing, and a buyer only gets a listed one.
          const listed = this.seats[s].status === 'resale';
          if (listed && !cmd.sale) return no('SEAT_LISTED');
          if (!listed && cmd.sale) return no('NOT_LISTED');
        }
        if (this.fanCount(cmd.toFanId) + seats.length > this.config.maxPerFan) return no('LIMIT_PER_FAN');
        for (const s of seats) this.seats[s] = { ...this.seats[s], status: 'booked', owner: cmd.toFanId };
        return OK;
      }
      case 'listResale':
      case 'withdrawResale': {
        const bad = this.checkSeats(cmd.seats);
        if (bad) return no(bad);
        const want: Status = cmd.type === 'listResale' ? 'booked' : 'resale';
        for (const s of cmd.seats) {
          const x = this.seats[s];
          if (x.status !== 'booked' && x.status !== 'resale') return no('NOT_OWNER');
          if (x.owner !== cmd.fanId) return no('NOT_OWNER');
          if (x.status !== want) return no(want === 'resale' ? 'NOT_LISTED' : 'SEAT_LISTED');
        }
        for (const s of cmd.seats) this.seats[s].status = want === 'booked' ? 'resale' : 'booked';
        return OK;
      }
      case 'block':
        return this.move(cmd.seats, (s) => this.seats[s].status === 'available', 'blocked');
      case 'unblock':
        return this.move(cmd.seats, (s) => this.seats[s].status === 'blocked', 'free');
      case 'setForSale': {
        const r = cmd.forSale
          ? this.move(cmd.seats, (s) => this.withdrawn.has(s), 'returned')
          : this.move(
              cmd.seats,
              (s) =>
                !this.withdrawn.has(s) &&
                ['available', 'blocked', 'notForSale'].includes(this.seats[s].status),
              'withdrawn',
            );
        return r;
      }
      case 'setSale':
        if (this.sale === cmd.status) return no('INVALID_COMMAND');
        this.sale = cmd.status;
        return OK;
      case 'setPrices': {
        if (Object.keys(cmd.prices).some((c) => !this.categories.includes(c))) return no('UNKNOWN_CATEGORY');
        const same = this.categories.every((c) => this.prices[c] === cmd.prices[c]);
        if (same) return no('INVALID_COMMAND');
        this.prices = { ...cmd.prices };
        this.seats.forEach((x, i) => {
          if (x.status === 'available' || x.status === 'notForSale') x.status = this.freeStatus(i);
        });
        return OK;
      }
    }
  }

  private move(
    seats: number[],
    ok: (s: number) => boolean,
    to: 'blocked' | 'free' | 'withdrawn' | 'returned',
  ): Result {
    const bad = this.checkSeats(seats);
    if (bad) return no(bad);
    if (seats.some((s) => !ok(s))) return no('SEAT_UNAVAILABLE');
    for (const s of seats) {
      if (to === 'withdrawn') this.withdrawn.add(s);
      if (to === 'returned') this.withdrawn.delete(s);
      this.seats[s].status = to === 'blocked' ? 'blocked' : this.freeStatus(s);
    }
    return OK;
  }

  eligible(s: number, filter: BestFilter): boolean {
    const i = this.info[s];
    if (this.seats[s].status !== 'available' || !this.priced(i.category)) return false;
    const price = this.prices[i.category];
    if (filter.minPrice !== undefined && price < filter.minPrice) return false;
    if (filter.maxPrice !== undefined && price > filter.maxPrice) return false;
    if (filter.categories && !filter.categories.includes(i.category)) return false;
    if (filter.sections && !filter.sections.includes(i.section)) return false;
    const special = i.accessible || i.companion;
    return filter.accessible === true ? special : !special;
  }

  private free(row: number[], k: number): boolean {
    return k >= 0 && k < row.length && this.seats[row[k]].status === 'available';
  }

  /**
   * Best available, stated plainly: every run of `count` eligible seats in one row is a
   * candidate (with the accessible filter it must include a wheelchair place); a candidate
   * that strands a single free seat loses to any that does not; then the lowest mean
   * distance wins. With no candidate, any `count` eligible seats, closest rows first.
   */
  private holdBest(cmd: Extract<Command, { type: 'holdBest' }>, now: number, real: Outcome): Result {
    const bad = this.newHoldRule(cmd.holdId, cmd.fanId, cmd.count, cmd.presale);
    if (bad) return no(bad);
    const filter = cmd.filter ?? {};
    const count = cmd.count;
    const blocks: { seats: number[]; orphan: boolean; score: number }[] = [];
    this.rows.forEach((row) => {
      for (let k = 0; k + count <= row.length; k++) {
        const seats = row.slice(k, k + count);
        if (!seats.every((s) => this.eligible(s, filter))) continue;
        if (filter.accessible === true && !seats.some((s) => this.info[s].accessible)) continue;
        const last = k + count - 1;
        const orphan =
          (this.free(row, k - 1) && !this.free(row, k - 2)) ||
          (this.free(row, last + 1) && !this.free(row, last + 2));
        const score = seats.reduce((a, s) => a + this.info[s].dist, 0) / count;
        blocks.push({ seats, orphan, score });
      }
    });
    const allEligible = this.seats.map((_, s) => s).filter((s) => this.eligible(s, filter));
    if (!real.ok) {
      // The domain found nothing: then neither may the model.
      expect(blocks).toEqual([]);
      const anyAccessible = allEligible.some((s) => this.info[s].accessible);
      expect(allEligible.length < count || (filter.accessible === true && !anyAccessible)).toBe(true);
      return no('NO_SEATS_AVAILABLE');
    }
    const chosen = real.value.seats as number[];
    const together = real.value.together as boolean;
    expect(new Set(chosen).size).toBe(count);
    for (const s of chosen) expect(this.eligible(s, filter)).toBe(true);
    if (blocks.length > 0) {
      expect(together).toBe(true);
      const mine = blocks.find((b) => b.seats.join() === chosen.join());
      expect(mine).toBeDefined();
      expect(mine!.orphan).toBe(blocks.every((b) => b.orphan));
      const bestScore = Math.min(...blocks.filter((b) => b.orphan === mine!.orphan).map((b) => b.score));
      expect(mine!.score).toBeLessThanOrEqual(bestScore + 1e-4);
    } else {
      expect(together).toBe(false);
      if (filter.accessible === true) {
        expect(chosen.some((s) => this.info[s].accessible)).toBe(true);
      } else {
        // Closest first: no eligible seat in a strictly closer row was passed over.
        const farthest = Math.max(...chosen.map((s) => this.rowMinDist[this.info[s].row]));
        for (const s of allEligible) {
          if (this.rowMinDist[this.info[s].row] < farthest) expect(chosen).toContain(s);
        }
      }
    }
    this.addHold(cmd.holdId, cmd.fanId, [...chosen], null, 0, now);
    return OK;
  }
}

// ---------------------------------------------------------------------------------------
// Random command sequences. Some commands name holds and orders from a small pool of ids
// (often unknown or reused); others "pick" a live hold or order of the model at run time,
// so that books, extends, cancels and transfers are often accepted too.

const FANS = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6'];
// f5 and f6 only ever queue for the GA floor, so that it sells out now and then.
const HOLD_IDS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7'];
const ORDER_IDS = ['o1', 'o2', 'o3'];
const fanArb = fc.constantFrom(...FANS.slice(0, 4));
const gaFanArb = fc.constantFrom(...FANS);
const holdIdArb = fc.constantFrom(...HOLD_IDS);
const orderIdArb = fc.constantFrom(...ORDER_IDS);
const seatArb = fc.integer({ min: 0, max: 25 }); // 24 and 25 do not exist
const seatsArb = fc.array(seatArb, { minLength: 1, maxLength: 5 });
// Operators work on a few seats of the back rows (and one that does not exist), so that
// block, unblock and setForSale meet each other's seats often.
const opSeatArb = fc.constantFrom(14, 15, 17, 18, 19, 24);
const opSeatsArb = fc.oneof(
  { weight: 3, arbitrary: opSeatArb.map((x) => [x]) },
  { weight: 1, arbitrary: fc.array(opSeatArb, { minLength: 2, maxLength: 2 }) },
);

type HoldRef =
  | { live: true; n: number; asHolder: boolean; other: string }
  | { live: false; id: string; fan: string };
type OrderRef = { live: true; n: number } | { live: false; id: string };
type SeatSel = undefined | { fromOrder: true; n: number; k: number } | { fromOrder: false; seats: number[] };

const holdRefArb: fc.Arbitrary<HoldRef> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      live: fc.constant(true as const),
      n: fc.nat(99),
      asHolder: fc.constantFrom(true, true, true, false),
      other: fanArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ live: fc.constant(false as const), id: holdIdArb, fan: fanArb }) },
);
const orderRefArb: fc.Arbitrary<OrderRef> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ live: fc.constant(true as const), n: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ live: fc.constant(false as const), id: orderIdArb }) },
);
const seatSelArb: fc.Arbitrary<SeatSel> = fc.oneof(
  fc.constant(undefined),
  fc.record({ fromOrder: fc.constant(true as const), n: fc.nat(9), k: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ fromOrder: fc.constant(false as const), seats: seatsArb }),
);
const filterArb: fc.Arbitrary<BestFilter> = fc.record(
  {
    categories: fc.subarray(['A', 'B', 'C', 'Z'], { minLength: 1 }),
    sections: fc.subarray(['S1', 'S2', 'S9'], { minLength: 1 }),
    minPrice: fc.constantFrom(0, 3000, 4000, 6000),
    maxPrice: fc.constantFrom(2000, 3000, 5000),
    accessible: fc.boolean(),
  },
  { requiredKeys: [] },
);

type Intent =
  | { t: 'cmd'; cmd: Command }
  | { t: 'extendHold'; ref: HoldRef; byMs: number }
  | { t: 'release'; ref: HoldRef }
  | { t: 'unblock'; n: number; seats: number[] }
  | { t: 'book'; ref: HoldRef; orderId: string; liveOrder: number | null }
  | { t: 'cancelBooking'; ref: OrderRef; sel: SeatSel }
  | {
      t: 'transfer';
      ref: OrderRef;
      sel: SeatSel;
      fromOwner: boolean;
      from: string;
      to: string;
      sale: boolean;
    }
  | { t: 'resale'; list: boolean; ref: OrderRef; sel: SeatSel; fromOwner: boolean; from: string };

const cmd = (a: fc.Arbitrary<Command>): fc.Arbitrary<Intent> => a.map((c) => ({ t: 'cmd', cmd: c }));

const intentArb: fc.Arbitrary<Intent> = fc.oneof(
  {
    weight: 6,
    arbitrary: cmd(
      fc.record(
        {
          type: fc.constant('hold' as const),
          holdId: holdIdArb,
          fanId: fanArb,
          seats: seatsArb,
          presale: fc.boolean(),
        },
        { requiredKeys: ['type', 'holdId', 'fanId', 'seats'] },
      ),
    ),
  },
  {
    weight: 3,
    arbitrary: cmd(
      fc.record(
        {
          type: fc.constant('holdBest' as const),
          holdId: holdIdArb,
          fanId: fanArb,
          count: fc.integer({ min: 1, max: 5 }),
          filter: filterArb,
          presale: fc.boolean(),
        },
        { requiredKeys: ['type', 'holdId', 'fanId', 'count'] },
      ),
    ),
  },
  {
    weight: 6,
    arbitrary: cmd(
      fc.record(
        {
          type: fc.constant('holdGa' as const),
          holdId: holdIdArb,
          fanId: gaFanArb,
          area: fc.constantFrom('FLOOR', 'FLOOR', 'FLOOR', 'FLOOR', 'VIP', 'ROOF'),
          count: fc.constantFrom(1, 2, 3, 4, 4, 4, 5),
          presale: fc.boolean(),
        },
        { requiredKeys: ['type', 'holdId', 'fanId', 'area', 'count'] },
      ),
    ),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('extendHold' as const),
      ref: holdRefArb,
      byMs: fc.constantFrom(1, 300, 5000, 5000),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('release' as const), ref: holdRefArb }) },
  { weight: 2, arbitrary: cmd(fc.constant({ type: 'expire' as const })) },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('book' as const),
      ref: holdRefArb,
      orderId: orderIdArb,
      liveOrder: fc.option(fc.nat(99), { nil: null }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('cancelBooking' as const), ref: orderRefArb, sel: seatSelArb }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('transfer' as const),
      ref: orderRefArb,
      sel: seatSelArb,
      fromOwner: fc.constantFrom(true, true, false),
      from: fanArb,
      to: fanArb,
      sale: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('resale' as const),
      list: fc.constantFrom(true, true, false),
      ref: orderRefArb,
      sel: seatSelArb,
      fromOwner: fc.constantFrom(true, true, true, false),
      from: fanArb,
    }),
  },
  { weight: 1, arbitrary: cmd(fc.record({ type: fc.constant('block' as const), seats: opSeatsArb })) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('unblock' as const), n: fc.nat(9), seats: opSeatsArb }),
  },
  {
    weight: 1,
    arbitrary: cmd(
      fc.record({ type: fc.constant('setForSale' as const), seats: opSeatsArb, forSale: fc.boolean() }),
    ),
  },
  {
    weight: 1,
    arbitrary: cmd(
      fc.record({
        type: fc.constant('setSale' as const),
        status: fc.constantFrom(
          'open' as const,
          'open' as const,
          'open' as const,
          'presale' as const,
          'paused' as const,
          'closed' as const,
        ),
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: cmd(
      fc.record({
        type: fc.constant('setPrices' as const),
        prices: fc.constantFrom<Record<string, number>>(
          { A: 5000, B: 3000 },
          { A: 5000, B: 3000, C: 1000 },
          { A: 5000, B: 3000, C: 1000 },
          { B: 3000, C: 1000 },
          { A: 5000, B: 3000, Z: 1 },
        ),
      }),
    ),
  },
);

// Mostly small steps, so holds live for several commands; now and then a long pause, so
// that they lapse (and extends, books and expires meet expired holds).
const dtArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 150 }) },
  { weight: 1, arbitrary: fc.integer({ min: 600, max: 2500 }) },
  // Exactly one TTL: lands on a deadline, where "expiresAt <= now" and "<" differ.
  { weight: 1, arbitrary: fc.constant(CONFIG.holdTtlMs) },
);

const sortedKeys = <T>(m: Map<string, T>) => [...m.keys()].sort();

function resolveHold(m: Model, ref: HoldRef): { holdId: string; fanId: string } {
  const ids = sortedKeys(m.holds);
  if (!ref.live || ids.length === 0)
    return ref.live ? { holdId: 'h1', fanId: ref.other } : { holdId: ref.id, fanId: ref.fan };
  const h = m.holds.get(ids[ref.n % ids.length])!;
  return { holdId: h.id, fanId: ref.asHolder ? h.fan : ref.other };
}

function resolveOrder(m: Model, ref: OrderRef): MOrder | string {
  const ids = sortedKeys(m.orders);
  if (!ref.live || ids.length === 0) return ref.live ? 'o1' : ref.id;
  return m.orders.get(ids[ref.n % ids.length])!;
}

function resolveSeats(order: MOrder | string, sel: SeatSel): number[] | undefined {
  if (sel === undefined) return undefined;
  if (!sel.fromOrder || typeof order === 'string' || order.seats.length === 0) {
    return sel.fromOrder ? [sel.n] : [...sel.seats];
  }
  const out: number[] = [];
  for (let i = 0; i < Math.min(sel.k, order.seats.length); i++)
    out.push(order.seats[(sel.n + i) % order.seats.length]);
  return out;
}

/** The fan a transfer or a listing is made as: mostly the holder of a seat of the order. */
function ownerOf(m: Model, order: MOrder | string, intent: { fromOwner: boolean; from: string }): string {
  if (!intent.fromOwner || typeof order === 'string') return intent.from;
  return order.seats.map((s) => m.seats[s].owner).find((o) => o !== null) ?? order.fan;
}

function resolve(m: Model, intent: Intent): Command {
  switch (intent.t) {
    case 'cmd':
      return structuredClone(intent.cmd);
    case 'extendHold':
      return { type: 'extendHold', ...resolveHold(m, intent.ref), byMs: intent.byMs };
    case 'release':
      return { type: 'release', ...resolveHold(m, intent.ref) };
    case 'unblock': {
      // Half the time, a seat that is blocked right now.
      const blocked = m.seats.map((x, i) => (x.status === 'blocked' ? i : -1)).filter((i) => i >= 0);
      if (intent.n % 2 === 0 && blocked.length > 0)
        return { type: 'unblock', seats: [blocked[intent.n % blocked.length]] };
      return { type: 'unblock', seats: [...intent.seats] };
    }
    case 'book': {
      const ids = sortedKeys(m.orders);
      const orderId =
        intent.liveOrder !== null && ids.length > 0 ? ids[intent.liveOrder % ids.length] : intent.orderId;
      return { type: 'book', ...resolveHold(m, intent.ref), orderId };
    }
    case 'cancelBooking': {
      const order = resolveOrder(m, intent.ref);
      const seats = resolveSeats(order, intent.sel);
      const orderId = typeof order === 'string' ? order : order.id;
      return seats ? { type: 'cancelBooking', orderId, seats } : { type: 'cancelBooking', orderId };
    }
    case 'transfer': {
      const order = resolveOrder(m, intent.ref);
      const seats = resolveSeats(order, intent.sel);
      const orderId = typeof order === 'string' ? order : order.id;
      const from = ownerOf(m, order, intent);
      const base: Command = { type: 'transfer' as const, orderId, fromFanId: from, toFanId: intent.to };
      if (seats) base.seats = seats;
      if (intent.sale) base.sale = { listingId: 'l1', orderId: 'buyer-order' };
      return base;
    }
    case 'resale': {
      const order = resolveOrder(m, intent.ref);
      const seats =
        resolveSeats(order, intent.sel) ?? (typeof order === 'string' ? [0] : order.seats.slice(0, 2));
      const fanId = ownerOf(m, order, intent);
      const listingId = 'l1';
      return intent.list
        ? { type: 'listResale', listingId, fanId, seats: seats.length ? seats : [0], price: 4200 }
        : { type: 'withdrawResale', listingId, fanId, seats: seats.length ? seats : [0] };
    }
  }
}

// ---------------------------------------------------------------------------------------
// Checks.

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

function fanName(s: EventState, holder: number): string | null {
  return holder === 0 ? null : s.fanIds[holder - 1];
}

/**
 * Structural invariants of the real state, checked without the model. Problems are
 * collected and compared once, which keeps a step cheap.
 */
function checkInvariants(s: EventState): void {
  const { layout } = s;
  const problems: string[] = [];
  const fail = (msg: string) => problems.push(msg);
  const counts = [0, 0, 0, 0, 0, 0];
  const rowAvail = new Array<number>(layout.rowCount).fill(0);
  for (let i = 0; i < layout.seatCount; i++) {
    const st = s.status[i];
    counts[st]++;
    if (st === AVAILABLE) rowAvail[layout.seatRow[i]]++;
    if ((s.holder[i] !== 0) !== (st === HELD || st === BOOKED || st === RESALE))
      fail(`seat ${i}: holder ${s.holder[i]} with status ${st}`);
    if ((s.order[i] !== 0) !== (st === BOOKED || st === RESALE))
      fail(`seat ${i}: order ${s.order[i]} with status ${st}`);
  }
  if (counts.join() !== Array.from(s.statusCounts).join())
    fail(`statusCounts ${s.statusCounts} != recount ${counts}`);
  if (counts.reduce((a, b) => a + b, 0) !== layout.seatCount) fail('counts do not add up to seatCount');
  if (rowAvail.join() !== Array.from(s.rowAvailable).join())
    fail(`rowAvailable ${s.rowAvailable} != ${rowAvail}`);

  // No seat in two holds or orders; held seats are in exactly one hold, booked in one order.
  const claimedBy = new Map<number, string>();
  const claim = (seat: number, by: string) => {
    if (claimedBy.has(seat)) fail(`seat ${seat} claimed by ${claimedBy.get(seat)} and ${by}`);
    claimedBy.set(seat, by);
  };
  const areaHeld = new Array<number>(layout.areas.length).fill(0);
  const areaBooked = new Array<number>(layout.areas.length).fill(0);
  const tickets = new Array<number>(s.fanIds.length).fill(0);
  let earliest = Number.POSITIVE_INFINITY;
  for (const h of s.holds.values()) {
    for (const seat of h.seats) {
      claim(seat, `hold ${h.id}`);
      if (s.status[seat] !== HELD) fail(`seat ${seat} of hold ${h.id} is not HELD`);
      if (s.holder[seat] !== h.fan + 1) fail(`seat ${seat} of hold ${h.id} has holder ${s.holder[seat]}`);
    }
    if (h.area >= 0) areaHeld[h.area] += h.places;
    tickets[h.fan] += h.places;
    earliest = Math.min(earliest, h.expiresAt);
  }
  s.orders.forEach((o, i) => {
    for (const seat of o.seats) {
      claim(seat, `order ${o.id}`);
      if (s.status[seat] !== BOOKED && s.status[seat] !== RESALE)
        fail(`seat ${seat} of order ${o.id} is not BOOKED`);
      if (s.order[seat] !== i + 1) fail(`seat ${seat} of order ${o.id} points at order ${s.order[seat]}`);
    }
    o.places.forEach((p, a) => {
      areaBooked[a] += p ?? 0;
      tickets[o.fan] += p ?? 0;
    });
  });
  for (let i = 0; i < layout.seatCount; i++) {
    if ((s.status[i] === HELD || s.status[i] === BOOKED || s.status[i] === RESALE) && !claimedBy.has(i))
      fail(`seat ${i} is taken by nobody`);
    if (s.holder[i] !== 0) tickets[s.holder[i] - 1]++;
  }
  if (areaHeld.join() !== Array.from(s.areaHeld).join()) fail(`areaHeld ${s.areaHeld} != ${areaHeld}`);
  if (areaBooked.join() !== Array.from(s.areaBooked).join())
    fail(`areaBooked ${s.areaBooked} != ${areaBooked}`);
  layout.areas.forEach((a, i) => {
    if (areaHeld[i] + areaBooked[i] > a.capacity) fail(`area ${a.id} oversold`);
  });
  if (tickets.join() !== s.fanTickets.join()) fail(`fanTickets ${s.fanTickets} != ${tickets}`);
  if (nextExpiry(s) !== earliest) fail(`nextExpiry ${nextExpiry(s)} != earliest deadline ${earliest}`);
  if (s.expiry.size !== s.holds.size) fail(`heap has ${s.expiry.size} entries for ${s.holds.size} holds`);
  expect(problems).toEqual([]);
}

/** The real state says what the model says. */
function checkAgainstModel(s: EventState, m: Model): void {
  const seats = m.seats.map((_, i) => ({
    seat: i,
    status: s.status[i],
    owner: fanName(s, s.holder[i]),
    order: s.order[i] === 0 ? null : s.orders[s.order[i] - 1].id,
  }));
  const modelSeats = m.seats.map((x, i) => ({
    seat: i,
    status: STATUS_CODE[x.status],
    owner: x.owner,
    order: x.order,
  }));
  const holds = [...s.holds.values()]
    .map((h) => ({
      id: h.id,
      fan: s.fanIds[h.fan],
      seats: [...h.seats].sort((a, b) => a - b),
      area: h.area >= 0 ? s.layout.areas[h.area].id : null,
      places: h.places,
      createdAt: h.createdAt,
      expiresAt: h.expiresAt,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const modelHolds = [...m.holds.values()]
    .map((h) => ({ ...h, seats: [...h.seats].sort((a, b) => a - b) }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const orders = s.orders
    .map((o) => {
      const places: Record<string, number> = {};
      o.places.forEach((p, a) => {
        if (p) places[s.layout.areas[a].id] = p;
      });
      return { id: o.id, fan: s.fanIds[o.fan], seats: [...o.seats].sort((a, b) => a - b), places };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  const modelOrders = [...m.orders.values()]
    .map((o) => {
      const places: Record<string, number> = {};
      for (const [a, p] of Object.entries(o.places)) if (p) places[a] = p;
      return { id: o.id, fan: o.fan, seats: [...o.seats].sort((a, b) => a - b), places };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  expect({
    version: s.version,
    sale: s.sale,
    seats,
    holds,
    orders,
    tickets: FANS.map((f) => fanTickets(s, f)),
  }).toEqual({
    version: m.version,
    sale: m.sale,
    seats: modelSeats,
    holds: modelHolds,
    orders: modelOrders,
    tickets: FANS.map((f) => m.fanCount(f)),
  });
}

// ---------------------------------------------------------------------------------------

describe('the domain against a plain reference model', () => {
  it('given random command sequences, when each command is applied to both, then they agree at every step and the accepted commands replay to the same bytes', () => {
    const seenAccepted = new Map<string, number>();
    const seenCodes = new Map<string, number>();
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: dtArb, intent: intentArb }), { minLength: 1, maxLength: 60, size: 'max' }),
        (steps) => {
          const state = createState(fixtureLayout(), PRICES, CONFIG);
          const model = new Model(fixtureChart(), PRICES, CONFIG);
          const log: { cmd: Command; at: number }[] = [];
          const events: DomainEvent[] = [];
          let now = T0;
          for (const { dt, intent } of steps) {
            now += dt;
            const command = resolve(model, intent);
            const before = encodeState(state);
            const version = state.version;
            const out = apply(state, structuredClone(command), now);
            const want = model.step(command, now, out);
            expect(out.ok ? 'ok' : out.error.code, `${JSON.stringify(command)} at +${now - T0}`).toBe(
              want.ok ? 'ok' : want.code,
            );
            if (out.ok) {
              bump(seenAccepted, command.type);
              expect(state.version).toBe(version + 1);
              log.push({ cmd: command, at: now });
              events.push(structuredClone(out.event));
              if (command.type === 'expire') {
                for (const h of state.holds.values()) expect(h.expiresAt).toBeGreaterThan(now);
              }
            } else {
              bump(seenCodes, out.error.code);
              expect(state.version).toBe(version);
              expect(same(encodeState(state), before)).toBe(true);
            }
            checkInvariants(state);
            checkAgainstModel(state, model);
          }

          // Replaying only the accepted commands, at their times, rebuilds the same bytes.
          const bytes = encodeState(state);
          const replay = createState(fixtureLayout(), PRICES, CONFIG);
          for (const { cmd, at } of log) expect(apply(replay, cmd, at).ok).toBe(true);
          expect(same(encodeState(replay), bytes)).toBe(true);
          // Evolving the events alone (what recovery does) rebuilds the same bytes too.
          const evolved = createState(fixtureLayout(), PRICES, CONFIG);
          for (const e of events) evolve(evolved, e, { deltas: [], areas: [] });
          expect(same(encodeState(evolved), bytes)).toBe(true);
          // And a snapshot round-trips, derived indexes included.
          const decoded = decodeState(fixtureLayout(), bytes);
          expect(same(encodeState(decoded), bytes)).toBe(true);
          checkInvariants(decoded);
          checkAgainstModel(decoded, model);
        },
      ),
      { numRuns: 200 },
    );

    // The generator must actually reach every command and almost every rule, or the
    // agreement above says little.
    const types: Command['type'][] = [
      'hold',
      'holdBest',
      'holdGa',
      'extendHold',
      'release',
      'expire',
      'book',
      'cancelBooking',
      'transfer',
      'block',
      'unblock',
      'setForSale',
      'setSale',
      'setPrices',
    ];
    for (const t of types) expect(seenAccepted.get(t) ?? 0, `accepted ${t}`).toBeGreaterThan(0);
    const notDomain = new Set<ErrorCode>(['UNAVAILABLE']);
    for (const code of ERROR_CODES) {
      if (!notDomain.has(code)) expect(seenCodes.get(code) ?? 0, `rejected with ${code}`).toBeGreaterThan(0);
    }
  });
});
