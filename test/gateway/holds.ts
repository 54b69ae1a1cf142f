import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError, OnsaleHttp, OnsaleSocket } from '../../client/sdk/index.ts';
import {
  EVENT,
  eventState,
  expectError,
  type Gateway,
  http,
  metric,
  seatNumber,
  seatsOf,
  seatsSnapshot,
  signUp,
  stateDigest,
  TrackedWebSocket,
  waitFor,
  withRole,
} from './support.ts';

// Holds over HTTP and over the socket: the reply's shape, idempotency keys, the per-fan and
// per-order limits, holds that belong to someone else, extension, release, and the metrics
// that count them.

const TEN_MINUTES = 10 * 60_000;
const HOLD_ID = /^demo-stadium~[A-Za-z0-9_-]+$/;

export function holdsSuite(server: () => Gateway): void {
  let gw: Gateway;
  beforeAll(() => {
    gw = server();
  });

  const connect = (token: string) => OnsaleSocket.connect(gw.wsUrl, { token, WebSocket: TrackedWebSocket });

  async function expectHeldBy(fanId: string, holdId: string, seats: string[]): Promise<void> {
    const state = await eventState(gw);
    const hold = state.holds.find((h) => h.holdId === holdId);
    expect(hold?.fanId).toBe(fanId);
    expect(hold?.seats.slice().sort()).toEqual(seats.map((s) => seatNumber(gw, s)).sort());
    for (const s of seats) expect(state.status[seatNumber(gw, s)]).toBe(1);
  }

  describe('holds over HTTP', () => {
    it('given a fan, when they hold two seats, then 201 with the hold id (carrying the event), the public seat ids and the expiry, and the actor shows the hold', async () => {
      const fan = await signUp(gw);
      const seats = seatsOf(310, 'C', 2);
      const before = Date.now();
      const r = await http(gw, 'POST', '/api/holds', { token: fan.token, json: { eventId: EVENT, seats } });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ eventId: EVENT, seats, together: true });
      expect(r.body.holdId).toMatch(HOLD_ID);
      expect(r.body.expiresAt).toBeGreaterThanOrEqual(before + TEN_MINUTES - 1_000);
      expect(r.body.expiresAt).toBeLessThanOrEqual(Date.now() + TEN_MINUTES + 1_000);
      await expectHeldBy(fan.user.id, r.body.holdId, seats);
    });

    it('given a fan, when they ask for the best 4 seats and for 2 general-admission places, then both holds come back with seats or places', async () => {
      const fan = await signUp(gw);
      const best = await http(gw, 'POST', '/api/holds', {
        token: fan.token,
        json: { eventId: EVENT, best: { count: 4 } },
      });
      expect(best.status, best.text).toBe(201);
      expect(best.body.seats).toHaveLength(4);
      for (const s of best.body.seats) expect(() => seatNumber(gw, s)).not.toThrow();
      await expectHeldBy(fan.user.id, best.body.holdId, best.body.seats);

      const summary = async () => (await http(gw, 'GET', `/api/events/${EVENT}/seats`)).body.areas[0];
      const gaBefore = await summary();
      const ga = await http(gw, 'POST', '/api/holds', {
        token: fan.token,
        json: { eventId: EVENT, ga: { area: 'GA1', count: 2 } },
      });
      expect(ga.status, ga.text).toBe(201);
      expect(ga.body).toMatchObject({ eventId: EVENT, seats: [], area: 'GA1', places: 2 });
      expect(ga.body.holdId).toMatch(HOLD_ID);
      expect(await summary()).toBe(gaBefore - 2);
    });

    it('given an Idempotency-Key, when the hold is retried, then the same hold comes back and nothing more changes; the same key from another fan is not theirs', async () => {
      const fan = await signUp(gw);
      const other = await signUp(gw);
      const seats = await freeSeats(2);
      const req = { json: { eventId: EVENT, seats }, headers: { 'idempotency-key': 'retry-me-1' } };
      const first = await http(gw, 'POST', '/api/holds', { token: fan.token, ...req });
      expect(first.status, first.text).toBe(201);
      const after = await stateDigest(gw);
      const retry = await http(gw, 'POST', '/api/holds', { token: fan.token, ...req });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(await stateDigest(gw)).toEqual(after);
      // Keys are scoped to the account: the other fan's request is a new hold, and the seats are taken.
      const theirs = await http(gw, 'POST', '/api/holds', { token: other.token, ...req });
      expectError(theirs, 409, 'SEAT_UNAVAILABLE');
      expect(await stateDigest(gw)).toEqual(after);
    });

    it('given an Idempotency-Key longer than 128 characters, then 400 and nothing changes', async () => {
      const fan = await signUp(gw);
      const before = await stateDigest(gw);
      const r = await http(gw, 'POST', '/api/holds', {
        token: fan.token,
        json: { eventId: EVENT, seats: seatsOf(311, 'E', 1) },
        headers: { 'idempotency-key': 'k'.repeat(129) },
      });
      expectError(r, 400, 'INVALID_IDEMPOTENCY_KEY');
      expect(await stateDigest(gw)).toEqual(before);
    });

    it('given a fan holding 10 seats, when they hold one more, then 422 LIMIT_PER_FAN; 11 in one hold is 422 LIMIT_PER_ORDER; neither changes anything', async () => {
      const fan = await signUp(gw);
      const api = new OnsaleHttp(gw.url, { token: fan.token });
      await api.hold({ eventId: EVENT, seats: seatsOf(312, 'A', 6) });
      await api.hold({ eventId: EVENT, seats: seatsOf(312, 'B', 4) });
      const before = await stateDigest(gw);
      const more = await http(gw, 'POST', '/api/holds', {
        token: fan.token,
        json: { eventId: EVENT, seats: seatsOf(312, 'C', 1) },
      });
      expectError(more, 422, 'LIMIT_PER_FAN');
      await expect(api.hold({ eventId: EVENT, best: { count: 1 } })).rejects.toMatchObject({
        status: 422,
        code: 'LIMIT_PER_FAN',
      });
      const newcomer = await signUp(gw);
      const eleven = await http(gw, 'POST', '/api/holds', {
        token: newcomer.token,
        json: { eventId: EVENT, seats: seatsOf(312, 'D', 11) },
      });
      expectError(eleven, 422, 'LIMIT_PER_ORDER');
      expect(await stateDigest(gw)).toEqual(before);
    });

    it("given fan A's hold, when fan B releases or extends it, then 403 NOT_HOLDER and A still holds it", async () => {
      const a = await signUp(gw);
      const b = await signUp(gw);
      const seats = seatsOf(313, 'A', 2);
      const hold = await new OnsaleHttp(gw.url, { token: a.token }).hold({ eventId: EVENT, seats });
      const before = await stateDigest(gw);
      const path = `/api/holds/${encodeURIComponent(hold.holdId)}`;
      expectError(await http(gw, 'DELETE', path, { token: b.token }), 403, 'NOT_HOLDER');
      expectError(
        await http(gw, 'POST', `${path}/extend`, { token: b.token, json: { seconds: 60 } }),
        403,
        'NOT_HOLDER',
      );
      expect(await stateDigest(gw)).toEqual(before);
      await expectHeldBy(a.user.id, hold.holdId, seats);
    });

    it('given a hold, when its holder extends it, then the expiry moves by that much, capped at 20 minutes in all, then 422; release frees the seats once', async () => {
      const fan = await signUp(gw);
      const api = new OnsaleHttp(gw.url, { token: fan.token });
      const seats = seatsOf(314, 'A', 2);
      const hold = await api.hold({ eventId: EVENT, seats });
      const extended = await api.extend(hold.holdId, 120);
      expect(extended).toEqual({ holdId: hold.holdId, expiresAt: hold.expiresAt + 120_000 });
      const path = `/api/holds/${encodeURIComponent(hold.holdId)}`;
      // An hour asked, the rest of the 20 minutes given (the hold started 10 minutes before its expiry).
      const capped = await http(gw, 'POST', `${path}/extend`, { token: fan.token, json: { seconds: 3600 } });
      expect(capped.status, capped.text).toBe(200);
      expect(capped.body.expiresAt).toBe(hold.expiresAt + TEN_MINUTES);
      expectError(
        await http(gw, 'POST', `${path}/extend`, { token: fan.token, json: { seconds: 1 } }),
        422,
        'HOLD_EXTEND_LIMIT',
      );
      expect((await eventState(gw)).holds.find((h) => h.holdId === hold.holdId)?.expiresAt).toBe(
        hold.expiresAt + TEN_MINUTES,
      );

      const released = await http(gw, 'DELETE', path, { token: fan.token });
      expect(released.status).toBe(200);
      expect(released.body).toEqual({ holdId: hold.holdId, released: 2 });
      const state = await eventState(gw);
      for (const s of seats) expect(state.status[seatNumber(gw, s)]).toBe(0);
      expect(state.holds.some((h) => h.holdId === hold.holdId)).toBe(false);
      expectError(await http(gw, 'DELETE', path, { token: fan.token }), 404, 'HOLD_NOT_FOUND');
    });
  });

  /** `count` neighbouring seats free right now (other suites' storms take random seats), from the back. */
  async function freeSeats(count: number): Promise<string[]> {
    const { status } = await seatsSnapshot(gw);
    const layout = gw.server.events.running(EVENT)!.layout;
    for (let row = layout.rowCount - 1; row >= 0; row--) {
      const start = layout.rowStart[row];
      for (let s = start; s + count <= start + layout.rowLength[row]; s++) {
        const run = Array.from({ length: count }, (_, i) => s + i);
        if (run.every((n) => status[n] === 0 && layout.seatFlags[n] === 0))
          return run.map((n) => layout.seatIds[n]);
      }
    }
    throw new Error(`no ${count} free seats side by side`);
  }

  describe('my holds and the history', () => {
    it('given a fan with a seat hold and a GA hold, when they list their holds, then both come back with public ids, soonest first; released ones are gone; another fan sees none of them', async () => {
      const fan = await signUp(gw);
      const other = await signUp(gw);
      const seats = await freeSeats(2);
      const a = await http(gw, 'POST', '/api/holds', { token: fan.token, json: { eventId: EVENT, seats } });
      const b = await http(gw, 'POST', '/api/holds', {
        token: fan.token,
        json: { eventId: EVENT, ga: { area: 'GA2', count: 3 } },
      });
      expect([a.status, b.status], a.text + b.text).toEqual([201, 201]);
      const mine = await http(gw, 'GET', '/api/holds', { token: fan.token });
      expect(mine.status).toBe(200);
      expect(mine.headers.get('cache-control')).toBe('no-store');
      expect(mine.body.holds).toEqual([
        expect.objectContaining({ holdId: a.body.holdId, eventId: EVENT, seats, area: null, places: 0 }),
        expect.objectContaining({ holdId: b.body.holdId, eventId: EVENT, seats: [], area: 'GA2', places: 3 }),
      ]);
      expect(mine.body.holds[0].expiresAt).toBe(a.body.expiresAt);
      expect((await http(gw, 'GET', '/api/holds', { token: other.token })).body.holds).toEqual([]);
      expect((await http(gw, 'GET', '/api/holds')).status).toBe(401);
      expect((await http(gw, 'DELETE', `/api/holds/${a.body.holdId}`, { token: fan.token })).status).toBe(
        200,
      );
      const after = await http(gw, 'GET', '/api/holds', { token: fan.token });
      expect(after.body.holds.map((h: { holdId: string }) => h.holdId)).toEqual([b.body.holdId]);
    });

    it('given a seat held, released and held again, when an operator asks for its history (by seat, by fan id or email), then every event about it in order, paged; fans may not ask', async () => {
      const operator = await withRole(gw, 'operator');
      const ann = await signUp(gw, 'ann');
      const bob = await signUp(gw, 'bob');
      const [seat] = await freeSeats(1);
      // Earlier suites may have held this seat before: the history asked for starts here.
      const since = (await seatsSnapshot(gw)).version;
      const h1 = await http(gw, 'POST', '/api/holds', {
        token: ann.token,
        json: { eventId: EVENT, seats: [seat] },
      });
      await http(gw, 'DELETE', `/api/holds/${h1.body.holdId}`, { token: ann.token });
      const h2 = await http(gw, 'POST', '/api/holds', {
        token: bob.token,
        json: { eventId: EVENT, seats: [seat] },
      });
      expect(h2.status).toBe(201);
      const bySeat = await http(gw, 'GET', `/api/events/${EVENT}/history?seat=${seat}&after=${since}`, {
        token: operator.token,
      });
      expect(bySeat.status, bySeat.text).toBe(200);
      expect(
        bySeat.body.items.map((i: { type: string; detail: { fanId: string } }) => [i.type, i.detail.fanId]),
      ).toEqual([
        ['SeatsHeld', ann.user.id],
        ['HoldReleased', ann.user.id],
        ['SeatsHeld', bob.user.id],
      ]);
      expect(bySeat.body.items[0].detail.seats).toEqual([seat]);
      expect(bySeat.body.next).toBeNull();
      const byEmail = await http(
        gw,
        'GET',
        `/api/events/${EVENT}/history?fan=${encodeURIComponent(ann.user.email)}&after=${since}`,
        {
          token: operator.token,
        },
      );
      expect(byEmail.body.items.map((i: { type: string }) => i.type)).toEqual(['SeatsHeld', 'HoldReleased']);
      const page = await http(gw, 'GET', `/api/events/${EVENT}/history?seat=${seat}&limit=2&after=${since}`, {
        token: operator.token,
      });
      expect(page.body.items).toHaveLength(2);
      const rest = await http(
        gw,
        'GET',
        `/api/events/${EVENT}/history?seat=${seat}&after=${page.body.next}`,
        {
          token: operator.token,
        },
      );
      expect(rest.body.items.map((i: { seq: number }) => i.seq)).toEqual([bySeat.body.items[2].seq]);
      expectError(
        await http(gw, 'GET', `/api/events/${EVENT}/history?seat=no-such-seat`, { token: operator.token }),
        400,
        'UNKNOWN_SEAT',
      );
      expectError(
        await http(gw, 'GET', `/api/events/${EVENT}/history?limit=0`, { token: operator.token }),
        400,
        'INVALID_QUERY',
      );
      expect(
        (await http(gw, 'GET', `/api/events/${EVENT}/history?seat=${seat}`, { token: ann.token })).status,
      ).toBe(403);
    });
  });

  describe('holds over the socket', () => {
    it('given a signed-in socket, when it holds, retries with the same key, extends and releases, then each reply has the HTTP shape', async () => {
      const fan = await signUp(gw);
      const sock = await connect(fan.token);
      const seats = seatsOf(315, 'B', 3);
      const before = Date.now();
      const hold = await sock.hold({ eventId: EVENT, seats }, { key: 'socket-key-1' });
      expect(hold).toMatchObject({ eventId: EVENT, seats, together: true });
      expect(hold.holdId).toMatch(HOLD_ID);
      expect(hold.expiresAt).toBeGreaterThanOrEqual(before + TEN_MINUTES - 1_000);
      await expectHeldBy(fan.user.id, hold.holdId, seats);

      const digest = await stateDigest(gw);
      expect(await sock.hold({ eventId: EVENT, seats }, { key: 'socket-key-1' })).toEqual(hold);
      expect(await stateDigest(gw)).toEqual(digest);
      // The key is the account's: the same key over HTTP answers with the same hold.
      const overHttp = await http(gw, 'POST', '/api/holds', {
        token: fan.token,
        json: { eventId: EVENT, seats },
        headers: { 'idempotency-key': 'socket-key-1' },
      });
      expect(overHttp.body).toEqual(hold);

      expect(await sock.extend(hold.holdId, 60)).toEqual({
        holdId: hold.holdId,
        expiresAt: hold.expiresAt + 60_000,
      });
      expect(await sock.release(hold.holdId)).toEqual({ holdId: hold.holdId, released: 3 });
      await expect(sock.release(hold.holdId)).rejects.toMatchObject({ code: 'HOLD_NOT_FOUND' });
      await sock.close();
    });

    it("given fan A's hold, when fan B's socket releases or extends it, then NOT_HOLDER; over the limit, LIMIT_PER_FAN", async () => {
      const a = await signUp(gw);
      const b = await signUp(gw);
      const sockA = await connect(a.token);
      const sockB = await connect(b.token);
      const hold = await sockA.hold({ eventId: EVENT, seats: seatsOf(316, 'A', 10) });
      const before = await stateDigest(gw);
      const notHolder = await sockB.release(hold.holdId).catch((e: unknown) => e);
      expect(notHolder).toBeInstanceOf(ApiError);
      expect(notHolder).toMatchObject({ code: 'NOT_HOLDER' });
      await expect(sockB.extend(hold.holdId, 60)).rejects.toMatchObject({ code: 'NOT_HOLDER' });
      await expect(sockA.hold({ eventId: EVENT, seats: seatsOf(316, 'B', 1) })).rejects.toMatchObject({
        code: 'LIMIT_PER_FAN',
      });
      expect(await stateDigest(gw)).toEqual(before);
      await Promise.all([sockA.close(), sockB.close()]);
    });

    it('given a socket that has closed, when the SDK is asked to hold, release or ping, then each fails at once with CLOSED and nothing changes', async () => {
      const fan = await signUp(gw);
      const sock = await connect(fan.token);
      await sock.close();
      const before = await stateDigest(gw);
      const outcomes = await Promise.race([
        Promise.allSettled([
          sock.hold({ eventId: EVENT, seats: seatsOf(317, 'A', 1) }),
          sock.release(`${EVENT}~nothing`),
          sock.ping(),
        ]),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2_000)),
      ]);
      expect(outcomes).toEqual([
        { status: 'rejected', reason: expect.objectContaining({ code: 'CLOSED' }) },
        { status: 'rejected', reason: expect.objectContaining({ code: 'CLOSED' }) },
        { status: 'rejected', reason: expect.objectContaining({ code: 'CLOSED' }) },
      ]);
      expect(await stateDigest(gw)).toEqual(before);
    });
  });

  describe('/metrics', () => {
    it('given sockets, subscriptions and holds, then onsale_sockets, onsale_subscriptions, onsale_hold_seconds and onsale_commands_total count them', async () => {
      const read = async () => (await http(gw, 'GET', '/metrics')).text;
      const fan = await signUp(gw);
      const start = await read();
      const holdsOk = (t: string) =>
        metric(t, 'onsale_commands_total', { event: EVENT, type: 'hold', result: 'ok' }) ?? 0;
      const perFan = (t: string) =>
        metric(t, 'onsale_commands_total', { event: EVENT, type: 'hold', result: 'LIMIT_PER_FAN' }) ?? 0;
      const holdCount = (t: string) => metric(t, 'onsale_hold_seconds_count') ?? 0;
      const subs = (t: string) => metric(t, 'onsale_subscriptions', { event: EVENT }) ?? 0;

      const socks = await Promise.all([connect(fan.token), connect(fan.token), connect(fan.token)]);
      await Promise.all(socks.slice(0, 2).map((s) => s.subscribe(EVENT)));
      await socks[0].hold({ eventId: EVENT, seats: seatsOf(317, 'A', 5) });
      await socks[1].hold({ eventId: EVENT, seats: seatsOf(317, 'B', 5) });
      await expect(socks[2].hold({ eventId: EVENT, seats: seatsOf(317, 'C', 1) })).rejects.toThrow();

      const now = await read();
      expect(metric(now, 'onsale_sockets')).toBe(gw.server.sockets());
      expect(subs(now) - subs(start)).toBe(2);
      expect(holdsOk(now) - holdsOk(start)).toBe(2);
      expect(perFan(now) - perFan(start)).toBe(1);
      expect(holdCount(now) - holdCount(start)).toBe(3);
      expect(now).toMatch(/^onsale_hold_seconds_bucket\{le="0\.01"\} \d+$/m);

      await Promise.all(socks.map((s) => s.close()));
      await waitFor(async () => subs(await read()) === subs(start), 2_000, 'subscriptions to drop');
      expect(metric(await read(), 'onsale_sockets')).toBe(gw.server.sockets());
    });
  });
}
