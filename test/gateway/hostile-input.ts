import { beforeAll, describe, expect, it } from 'vitest';
import { OnsaleSocket } from '../../client/sdk/index.ts';
import { hashSessionToken } from '../../src/accounts/session-token.ts';
import {
  type Account,
  EVENT,
  eventState,
  expectError,
  type Gateway,
  http,
  type Msg,
  metric,
  packr,
  RawClient,
  seatsOf,
  signUp,
  stateDigest,
  TrackedWebSocket,
  UpgradeRefused,
  waitFor,
} from './support.ts';

// Every malformed input gets an error in the one shape and changes nothing: bad frames on
// msgpack and JSON sockets, unknown message types, wrong field types, extra fields, frames
// over the size limit, bad and expired tokens, holds without a session, unknown events,
// seats and holds, and the HTTP equivalents. After each, the demo event's whole state (as
// GET /internal/events/demo-stadium/state returns it) is byte-for-byte what it was.

const SEATS = seatsOf(320, 'A', 2);

interface FrameCase {
  name: string;
  frame: Buffer | string | Record<string, unknown>;
  /** Send on a ?format=json socket. */
  json?: boolean;
  /** Send on an anonymous socket (default: a signed-in fan's). */
  anonymous?: boolean;
  /** The one message expected back. */
  expect: Record<string, unknown>;
}

const invalid = { t: 'error', code: 'INVALID_MESSAGE', message: expect.any(String) };
const error = (code: string, id?: number) =>
  id === undefined
    ? { t: 'error', code, message: expect.any(String) }
    : { t: 'error', id, code, message: expect.any(String) };
const failed = (id: number, code: string) => ({
  t: 'reply',
  id,
  ok: false,
  error: { code, message: expect.any(String) },
});

const FRAMES: FrameCase[] = [
  // Not msgpack, or not one whole value.
  { name: 'the byte 0xc1 (never used in msgpack)', frame: Buffer.from([0xc1]), expect: invalid },
  { name: 'a truncated map', frame: Buffer.from([0x82, 0xa1, 0x74]), expect: invalid },
  { name: 'an empty binary frame', frame: Buffer.alloc(0), expect: invalid },
  {
    name: 'a valid message followed by stray bytes',
    frame: Buffer.concat([packr.pack({ t: 'ping', id: 1 }), Buffer.from([0x00])]),
    expect: invalid,
  },
  {
    name: 'a str32 header claiming 4 GB',
    frame: Buffer.from([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]),
    expect: invalid,
  },
  {
    name: 'an array32 header claiming 4 billion items',
    frame: Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]),
    expect: invalid,
  },
  {
    name: 'arrays nested 15,000 deep',
    frame: Buffer.concat([Buffer.alloc(15_000, 0x91), Buffer.from([0xc0])]),
    expect: invalid,
  },
  { name: 'an unknown msgpack extension', frame: Buffer.from([0xd4, 0x33, 0x00]), expect: invalid },
  { name: 'a msgpack timestamp', frame: packr.pack(new Date(0)), expect: invalid },
  { name: 'a msgpack array', frame: packr.pack(['sub', EVENT]), expect: invalid },
  { name: 'a msgpack string', frame: packr.pack('sub'), expect: invalid },
  { name: 'msgpack nil', frame: packr.pack(null), expect: invalid },
  // Not JSON, on a JSON socket (text frames).
  { name: 'JSON: plain text', frame: 'hello', json: true, expect: invalid },
  { name: 'JSON: a truncated object', frame: '{"t":"sub","e":', json: true, expect: invalid },
  { name: 'JSON: an empty text frame', frame: '', json: true, expect: invalid },
  { name: 'JSON: null', frame: 'null', json: true, expect: invalid },
  { name: 'JSON: an array', frame: '["sub","demo-stadium"]', json: true, expect: invalid },
  { name: 'JSON: a number', frame: '42', json: true, expect: invalid },
  {
    name: 'JSON: arrays nested 8,000 deep',
    frame: `${'['.repeat(8_000)}${']'.repeat(8_000)}`,
    json: true,
    expect: invalid,
  },
  {
    name: 'JSON: a __proto__ key smuggling the type',
    frame: '{"__proto__":{"t":"ping"},"id":1}',
    json: true,
    expect: invalid,
  },
  { name: 'JSON: text on a msgpack socket is still checked', frame: '{"t":"nope"}', expect: invalid },
  // Unknown message types.
  { name: 'unknown type "nuke"', frame: { t: 'nuke' }, expect: invalid },
  { name: 'the domain command "book"', frame: { t: 'book', id: 1, hold: 'demo-stadium~x' }, expect: invalid },
  { name: 'no type at all', frame: { e: EVENT }, expect: invalid },
  { name: 'a numeric type', frame: { t: 5 }, expect: invalid },
  { name: 'an upper-case type', frame: { t: 'HOLD', id: 1, e: EVENT, seats: SEATS }, expect: invalid },
  // Wrong field types and ranges.
  { name: 'sub with a numeric event', frame: { t: 'sub', e: 5 }, expect: invalid },
  { name: 'sub with an empty event id', frame: { t: 'sub', e: '' }, expect: invalid },
  { name: 'sub with a 129-character event id', frame: { t: 'sub', e: 'e'.repeat(129) }, expect: invalid },
  { name: 'sub with a NUL in the event id', frame: { t: 'sub', e: `${EVENT}\u0000` }, expect: invalid },
  {
    name: 'hold of a seat id with a line feed',
    frame: { t: 'hold', id: 1, e: EVENT, seats: [`${SEATS[0]}\n`] },
    expect: invalid,
  },
  {
    name: 'release of a hold id with an escape',
    frame: { t: 'release', id: 1, hold: 'x\u001b[2J' },
    expect: invalid,
  },
  {
    name: 'ping with a control character in a string id',
    frame: { t: 'ping', id: 'a\u0007' },
    expect: invalid,
  },
  { name: 'ping with a fractional id', frame: { t: 'ping', id: 1.5 }, expect: invalid },
  { name: 'ping with a negative id', frame: { t: 'ping', id: -1 }, expect: invalid },
  { name: 'ping with a null id', frame: { t: 'ping', id: null }, expect: invalid },
  { name: 'auth with a numeric token', frame: { t: 'auth', token: 5 }, expect: invalid },
  {
    name: 'hold with seats as a string',
    frame: { t: 'hold', id: 1, e: EVENT, seats: SEATS[0] },
    expect: invalid,
  },
  { name: 'hold with no seats', frame: { t: 'hold', id: 1, e: EVENT, seats: [] }, expect: invalid },
  {
    name: 'hold with 101 seats',
    frame: { t: 'hold', id: 1, e: EVENT, seats: seatsOf(321, 'A', 101) },
    expect: invalid,
  },
  { name: 'hold best of 0', frame: { t: 'hold', id: 1, e: EVENT, best: { count: 0 } }, expect: invalid },
  { name: 'hold best of "4"', frame: { t: 'hold', id: 1, e: EVENT, best: { count: '4' } }, expect: invalid },
  {
    name: 'hold a billion GA places',
    frame: { t: 'hold', id: 1, e: EVENT, ga: { area: 'GA1', count: 1e9 } },
    expect: invalid,
  },
  { name: 'release with a numeric hold', frame: { t: 'release', id: 1, hold: 7 }, expect: invalid },
  {
    name: 'extend by "60"',
    frame: { t: 'extend', id: 1, hold: 'demo-stadium~x', seconds: '60' },
    expect: invalid,
  },
  {
    name: 'extend by 0 s',
    frame: { t: 'extend', id: 1, hold: 'demo-stadium~x', seconds: 0 },
    expect: invalid,
  },
  {
    name: 'extend by 3601 s',
    frame: { t: 'extend', id: 1, hold: 'demo-stadium~x', seconds: 3601 },
    expect: invalid,
  },
  // Extra fields.
  { name: 'ping with an extra field', frame: { t: 'ping', id: 1, x: 1 }, expect: invalid },
  { name: 'sub asking to be admin', frame: { t: 'sub', e: EVENT, admin: true }, expect: invalid },
  {
    name: "hold naming someone else's fanId",
    frame: { t: 'hold', id: 1, e: EVENT, seats: SEATS, fanId: 'someone-else' },
    expect: invalid,
  },
  {
    name: 'hold best with an unknown filter',
    frame: { t: 'hold', id: 1, e: EVENT, best: { count: 1, filter: { evil: true } } },
    expect: invalid,
  },
  {
    name: 'hold with both seats and best',
    frame: { t: 'hold', id: 7, e: EVENT, seats: SEATS, best: { count: 1 } },
    expect: error('INVALID_MESSAGE', 7),
  },
  // Well-formed, but naming what does not exist, or without a session.
  {
    name: 'sub to an unknown event',
    frame: { t: 'sub', e: 'no-such-event' },
    expect: error('EVENT_NOT_FOUND'),
  },
  {
    name: 'resync of an unknown event',
    frame: { t: 'resync', e: 'no-such-event' },
    expect: error('EVENT_NOT_FOUND'),
  },
  {
    name: 'hold on an unknown event',
    frame: { t: 'hold', id: 11, e: 'no-such-event', seats: SEATS },
    expect: failed(11, 'EVENT_NOT_FOUND'),
  },
  {
    name: 'hold of an unknown seat',
    frame: { t: 'hold', id: 12, e: EVENT, seats: [SEATS[0], '999-ZZ-1'] },
    expect: failed(12, 'UNKNOWN_SEAT'),
  },
  {
    name: 'hold of an unknown GA area',
    frame: { t: 'hold', id: 13, e: EVENT, ga: { area: 'GA9', count: 1 } },
    expect: failed(13, 'UNKNOWN_AREA'),
  },
  {
    name: 'hold of the same seat twice',
    frame: { t: 'hold', id: 14, e: EVENT, seats: [SEATS[0], SEATS[0]] },
    expect: failed(14, 'DUPLICATE_SEAT'),
  },
  {
    name: 'release of an unknown hold',
    frame: { t: 'release', id: 15, hold: 'demo-stadium~nothing' },
    expect: failed(15, 'HOLD_NOT_FOUND'),
  },
  {
    name: 'release of a hold on an unknown event',
    frame: { t: 'release', id: 16, hold: 'no-such-event~x' },
    expect: failed(16, 'HOLD_NOT_FOUND'),
  },
  {
    name: 'extend of a hold id without an event',
    frame: { t: 'extend', id: 17, hold: 'garbage', seconds: 60 },
    expect: failed(17, 'HOLD_NOT_FOUND'),
  },
  {
    name: 'hold without a session',
    anonymous: true,
    frame: { t: 'hold', id: 21, e: EVENT, seats: SEATS },
    expect: error('UNAUTHENTICATED', 21),
  },
  {
    name: 'release without a session',
    anonymous: true,
    frame: { t: 'release', id: 22, hold: 'demo-stadium~x' },
    expect: error('UNAUTHENTICATED', 22),
  },
  {
    name: 'extend without a session',
    anonymous: true,
    frame: { t: 'extend', id: 23, hold: 'demo-stadium~x', seconds: 60 },
    expect: error('UNAUTHENTICATED', 23),
  },
  {
    name: 'auth with a garbage token',
    anonymous: true,
    frame: { t: 'auth', token: 'garbage' },
    expect: error('UNAUTHENTICATED'),
  },
  {
    name: 'auth with a well-shaped unknown token',
    anonymous: true,
    frame: { t: 'auth', token: 'A'.repeat(43) },
    expect: error('UNAUTHENTICATED'),
  },
];

export function hostileInputSuite(server: () => Gateway): void {
  let gw: Gateway;
  let fan: Account;
  const sockets = new Map<string, RawClient>();

  /** One long-lived socket per kind, so a frame that wrongly closed one shows up at once. */
  async function socketFor(c: { json?: boolean; anonymous?: boolean }): Promise<RawClient> {
    const key = `${c.json ? 'json' : 'msgpack'}-${c.anonymous ? 'anonymous' : 'fan'}`;
    let s = sockets.get(key);
    if (!s?.isOpen) {
      s = await RawClient.open(gw, { json: c.json, token: c.anonymous ? undefined : fan.token });
      sockets.set(key, s);
    }
    return s;
  }

  /** A session whose expiry has passed (never used before, so no cached answer). */
  async function expiredToken(): Promise<string> {
    const acct = await signUp(gw, 'expired');
    const r = await gw.server.db.query(
      "UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE token_hash = $1",
      [hashSessionToken(acct.token)],
    );
    expect(r.rowCount).toBe(1);
    return acct.token;
  }

  async function loggedOutToken(): Promise<string> {
    const acct = await signUp(gw, 'gone');
    expect((await http(gw, 'POST', '/api/accounts/logout', { token: acct.token })).status).toBe(204);
    return acct.token;
  }

  beforeAll(async () => {
    gw = server();
    fan = await signUp(gw);
  });

  describe('malformed and unanswerable socket frames', () => {
    for (const c of FRAMES) {
      it(`${c.name}: one ${c.expect.t} ${String(c.expect.code ?? (c.expect.error as Msg)?.code ?? '')}, the socket stays open, nothing changes`, async () => {
        const s = await socketFor(c);
        const before = await stateDigest(gw);
        if (Buffer.isBuffer(c.frame) || typeof c.frame === 'string') s.sendRaw(c.frame);
        else s.send(c.frame);
        const got = await s.barrier();
        // Replies to holds may come after the barrier (they wait for the actor).
        if (got.length === 0 && c.expect.t === 'reply') got.push(await s.take());
        expect(got).toEqual([c.expect]);
        expect(s.isOpen).toBe(true);
        expect(await stateDigest(gw)).toEqual(before);
      });
    }

    it('given a msgpack record definition in one frame, then it does not leak into the next frame (ping id 64 is still 64, not a record)', async () => {
      const s = await socketFor({ anonymous: true });
      // 0xd4 0x72 0x00: define record 0x40 as ["t", "id"], then an instance of it.
      const definition = Buffer.concat([
        Buffer.from([0xd4, 0x72, 0x00]),
        packr.pack(['t', 'id']),
        packr.pack('ping'),
        packr.pack(1),
      ]);
      s.sendRaw(definition);
      s.send({ t: 'ping', id: 64 });
      const got = await s.barrier();
      // The record itself is a fine ping; 0x40 (64) in the next frame is a number again.
      expect(got).toEqual([
        { t: 'pong', id: 1 },
        { t: 'pong', id: 64 },
      ]);
    });

    it('given a frame of exactly 16 KB, then it is read (and refused as malformed), the socket stays open', async () => {
      const s = await socketFor({});
      const before = await stateDigest(gw);
      s.sendRaw(Buffer.alloc(16 * 1024, 0xc1));
      expect(await s.barrier()).toEqual([invalid]);
      expect(s.isOpen).toBe(true);
      expect(await stateDigest(gw)).toEqual(before);
    });

    it.each([
      ['a binary frame of 16 KB + 1', false, Buffer.alloc(16 * 1024 + 1, 0x90)],
      ['a JSON text frame of 17 KB', true, JSON.stringify({ t: 'sub', e: 'x'.repeat(17 * 1024) })],
    ])('given %s, then the server closes the socket with 1009 and stays up', async (_name, json, frame) => {
      const s = await RawClient.open(gw, { json, token: fan.token });
      const before = await stateDigest(gw);
      const open = gw.server.sockets();
      s.sendRaw(frame);
      expect((await s.closed).code).toBe(1009);
      await expect.poll(() => gw.server.sockets()).toBe(open - 1);
      expect((await http(gw, 'GET', '/healthz')).status).toBe(200);
      const fresh = await RawClient.open(gw);
      fresh.send({ t: 'ping', id: 1 });
      expect(await fresh.take((m) => m.t === 'pong')).toEqual({ t: 'pong', id: 1 });
      expect(await stateDigest(gw)).toEqual(before);
    });

    it('given a 1 MB frame, then the connection is dropped and the server stays up', async () => {
      const s = await RawClient.open(gw, { token: fan.token });
      const before = await stateDigest(gw);
      s.sendRaw(Buffer.alloc(1 << 20, 0x90));
      expect([1006, 1009]).toContain((await s.closed).code);
      expect((await http(gw, 'GET', '/healthz')).status).toBe(200);
      const sdk = await OnsaleSocket.connect(gw.wsUrl, { WebSocket: TrackedWebSocket });
      expect(await sdk.ping()).toBeGreaterThanOrEqual(0);
      expect(await stateDigest(gw)).toEqual(before);
    });

    it('given a socket that sends a burst of requests and vanishes before the answers are written, then the server stays up, counts the abrupt close, and still answers others', async () => {
      const metrics = async () => (await http(gw, 'GET', '/metrics')).text;
      const closesBefore = metric(await metrics(), 'onsale_socket_closes_total', { code: '1006' }) ?? 0;
      const s = await RawClient.open(gw, { token: fan.token });
      const before = await stateDigest(gw);
      for (let i = 0; i < 200; i++) s.send({ t: 'ping', id: i });
      s.send({ t: 'release', id: 'r', hold: `${EVENT}~nobody` });
      // Answers that go through awaits (a snapshot from the actor, a refused hold) may come after the close.
      s.send({ t: 'sub', e: EVENT });
      s.send({ t: 'hold', id: 'h', e: EVENT, seats: ['no-such-seat'] });
      s.ws.terminate(); // no close frame: the replies queued for this turn meet a closed socket
      await waitFor(
        async () =>
          metric(await metrics(), 'onsale_socket_closes_total', { code: '1006' }) === closesBefore + 1,
        5_000,
        'the server to count the abrupt close',
      );
      expect((await http(gw, 'GET', '/healthz')).status).toBe(200);
      const sdk = await OnsaleSocket.connect(gw.wsUrl, { WebSocket: TrackedWebSocket });
      expect(await sdk.ping()).toBeGreaterThanOrEqual(0);
      await sdk.close();
      expect(await stateDigest(gw)).toEqual(before);
    });

    it('given a text frame that is not UTF-8, then the connection is closed and the server stays up', async () => {
      const s = await RawClient.open(gw, { json: true });
      s.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      expect((await s.closed).code).not.toBe(1000);
      expect((await http(gw, 'GET', '/healthz')).status).toBe(200);
    });
  });

  describe('tokens', () => {
    const refused = async (token: string) => {
      const e = await RawClient.open(gw, { token }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UpgradeRefused);
      expect(e).toMatchObject({
        status: 401,
        body: { error: { code: 'UNAUTHENTICATED', message: expect.any(String) } },
      });
    };

    it('given a garbage, an unknown, an expired or a logged-out token in the URL, then the upgrade is refused with 401 and a JSON error', async () => {
      const open = gw.server.sockets();
      await refused('garbage');
      await refused('B'.repeat(43));
      await refused(await expiredToken());
      await refused(await loggedOutToken());
      expect(gw.server.sockets()).toBe(open);
    });

    it('given an expired or a logged-out token in {t:"auth"}, then UNAUTHENTICATED and holds stay refused; a valid one authenticates', async () => {
      const s = await RawClient.open(gw);
      for (const token of [await expiredToken(), await loggedOutToken()]) {
        s.send({ t: 'auth', token });
        expect(await s.take((m) => m.t === 'error')).toEqual(error('UNAUTHENTICATED'));
      }
      const before = await stateDigest(gw);
      s.send({ t: 'hold', id: 1, e: EVENT, seats: SEATS });
      expect(await s.take((m) => m.id === 1)).toEqual(error('UNAUTHENTICATED', 1));
      expect(await stateDigest(gw)).toEqual(before);

      s.send({ t: 'auth', token: fan.token });
      expect(await s.take((m) => m.t === 'authed')).toEqual({
        t: 'authed',
        user: { id: fan.user.id, role: 'fan' },
      });
      s.send({ t: 'hold', id: 2, e: EVENT, seats: SEATS });
      const held = await s.take((m) => m.id === 2);
      expect(held).toMatchObject({ t: 'reply', id: 2, ok: true, value: { seats: SEATS } });
      s.send({ t: 'release', id: 3, hold: (held.value as { holdId: string }).holdId });
      expect(await s.take((m) => m.id === 3)).toMatchObject({ ok: true, value: { released: 2 } });
    });

    it('given a signed-in socket, when an auth frame is refused (garbage, unknown, expired, logged out, control characters), then the socket stays signed in as before', async () => {
      for (const how of ['url', 'auth'] as const) {
        const s = how === 'url' ? await RawClient.open(gw, { token: fan.token }) : await RawClient.open(gw);
        if (how === 'auth') {
          s.send({ t: 'auth', token: fan.token });
          expect(await s.take((m) => m.t === 'authed')).toMatchObject({ user: { id: fan.user.id } });
        }
        const refused = ['garbage', 'C'.repeat(43), await expiredToken(), await loggedOutToken()];
        for (const token of refused) {
          s.send({ t: 'auth', token });
          expect(await s.take((m) => m.t === 'error')).toEqual(error('UNAUTHENTICATED'));
        }
        s.send({ t: 'auth', token: `${fan.token}\u0000` });
        expect(await s.take((m) => m.t === 'error')).toEqual(invalid);
        // Still the fan: a hold goes through as theirs, and its release too.
        s.send({ t: 'hold', id: 1, e: EVENT, seats: SEATS });
        const held = await s.take((m) => m.id === 1);
        expect(held, how).toMatchObject({ t: 'reply', id: 1, ok: true, value: { seats: SEATS } });
        const holdId = (held.value as { holdId: string }).holdId;
        const state = await eventState(gw);
        expect(state.holds.find((h) => h.holdId === holdId)?.fanId).toBe(fan.user.id);
        s.send({ t: 'release', id: 2, hold: holdId });
        expect(await s.take((m) => m.id === 2)).toMatchObject({ ok: true, value: { released: 2 } });
        await s.close();
      }
    });
  });

  describe('malformed HTTP requests', () => {
    const cases: {
      name: string;
      method: string;
      path: string;
      body?: unknown;
      raw?: string;
      auth?: 'fan' | 'none' | 'garbage' | 'expired';
      status: number;
      code: string;
    }[] = [
      {
        name: 'hold: bad JSON',
        method: 'POST',
        path: '/api/holds',
        raw: '{"eventId":',
        status: 400,
        code: 'BAD_JSON',
      },
      { name: 'hold: no body', method: 'POST', path: '/api/holds', status: 400, code: 'BAD_JSON' },
      {
        name: 'hold: a JSON array',
        method: 'POST',
        path: '/api/holds',
        body: [EVENT],
        status: 400,
        code: 'INVALID_BODY',
      },
      {
        name: 'hold: JSON null',
        method: 'POST',
        path: '/api/holds',
        raw: 'null',
        status: 400,
        code: 'INVALID_BODY',
      },
      {
        name: 'hold: a numeric event id',
        method: 'POST',
        path: '/api/holds',
        body: { eventId: 5, seats: SEATS },
        status: 400,
        code: 'INVALID_BODY',
      },
      {
        name: 'hold: seats as a string',
        method: 'POST',
        path: '/api/holds',
        body: { eventId: EVENT, seats: SEATS[0] },
        status: 400,
        code: 'INVALID_BODY',
      },
      {
        name: 'hold: an extra fanId field',
        method: 'POST',
        path: '/api/holds',
        body: { eventId: EVENT, seats: SEATS, fanId: 'someone-else' },
        status: 400,
        code: 'INVALID_BODY',
      },
      {
        name: 'hold: seats and best together',
        method: 'POST',
        path: '/api/holds',
        body: { eventId: EVENT, seats: SEATS, best: { count: 1 } },
        status: 400,
        code: 'INVALID_BODY',
      },
      {
        name: 'hold: neither seats, best nor ga',
        method: 'POST',
        path: '/api/holds',
        body: { eventId: EVENT },
        status: 400,
        code: 'INVALID_BODY',
      },
      {
        name: 'hold: a 70 KB body',
        method: 'POST',
        path: '/api/holds',
        body: { eventId: EVENT, seats: SEATS, pad: 'x'.repeat(70 * 1024) },
        status: 413,
        code: 'BODY_TOO_LARGE',
      },
      {
        name: 'hold: an unknown event',
        method: 'POST',
        path: '/api/holds',
        body: { eventId: 'no-such-event', seats: SEATS },
        status: 404,
        code: 'EVENT_NOT_FOUND',
      },
      {
        name: 'hold: an unknown seat',
        method: 'POST',
        path: '/api/holds',
        body: { eventId: EVENT, seats: ['999-ZZ-1'] },
        status: 400,
        code: 'UNKNOWN_SEAT',
      },
      {
        name: 'hold: without a session',
        method: 'POST',
        path: '/api/holds',
        body: { eventId: EVENT, seats: SEATS },
        auth: 'none',
        status: 401,
        code: 'UNAUTHENTICATED',
      },
      {
        name: 'hold: a garbage token',
        method: 'POST',
        path: '/api/holds',
        body: { eventId: EVENT, seats: SEATS },
        auth: 'garbage',
        status: 401,
        code: 'UNAUTHENTICATED',
      },
      {
        name: 'hold: an expired token',
        method: 'POST',
        path: '/api/holds',
        body: { eventId: EVENT, seats: SEATS },
        auth: 'expired',
        status: 401,
        code: 'UNAUTHENTICATED',
      },
      {
        name: 'extend: seconds as a string',
        method: 'POST',
        path: '/api/holds/demo-stadium~x/extend',
        body: { seconds: 'ten' },
        status: 400,
        code: 'INVALID_BODY',
      },
      {
        name: 'release: an unknown hold',
        method: 'DELETE',
        path: '/api/holds/garbage',
        status: 404,
        code: 'HOLD_NOT_FOUND',
      },
      {
        name: 'release: a malformed percent-escape in the path',
        method: 'DELETE',
        path: '/api/holds/%E0%A4%A',
        status: 400,
        code: 'BAD_PATH',
      },
      {
        name: 'seats: a lone % in the path',
        method: 'GET',
        path: '/api/events/%/seats',
        auth: 'none',
        status: 400,
        code: 'BAD_PATH',
      },
      {
        name: 'seats: an unknown event',
        method: 'GET',
        path: '/api/events/no-such-event/seats',
        status: 404,
        code: 'EVENT_NOT_FOUND',
      },
      {
        name: 'chart: an unknown event',
        method: 'GET',
        path: '/api/events/no-such-event/chart',
        status: 404,
        code: 'EVENT_NOT_FOUND',
      },
      { name: 'an unknown route', method: 'GET', path: '/api/nothing-here', status: 404, code: 'NOT_FOUND' },
      { name: 'an unknown method', method: 'PATCH', path: '/api/holds', status: 404, code: 'NOT_FOUND' },
      {
        name: 'internal: bad JSON',
        method: 'POST',
        path: `/internal/events/${EVENT}/commands`,
        raw: 'commands',
        status: 400,
        code: 'BAD_JSON',
      },
      {
        name: 'internal: no commands',
        method: 'POST',
        path: `/internal/events/${EVENT}/commands`,
        body: { commands: [] },
        status: 400,
        code: 'INVALID_BODY',
      },
      {
        name: 'internal: an unknown event',
        method: 'GET',
        path: '/internal/events/no-such-event/state',
        status: 404,
        code: 'EVENT_NOT_FOUND',
      },
    ];

    for (const c of cases) {
      it(`${c.name}: ${c.status} ${c.code}, nothing changes`, async () => {
        const before = await stateDigest(gw);
        const auth = c.auth ?? 'fan';
        const token =
          auth === 'fan'
            ? fan.token
            : auth === 'garbage'
              ? 'garbage'
              : auth === 'expired'
                ? await expiredToken()
                : undefined;
        const res = await http(gw, c.method, c.path, { token, json: c.body, raw: c.raw });
        expectError(res, c.status, c.code);
        expect(await stateDigest(gw)).toEqual(before);
        expect((await http(gw, 'GET', '/healthz')).status).toBe(200);
      });
    }

    it('internal: a malformed command is answered in place and never reaches the actor', async () => {
      const before = await stateDigest(gw);
      const res = await http(gw, 'POST', `/internal/events/${EVENT}/commands`, {
        json: { commands: [{ command: { type: 'hold', holdId: 'h', fanId: 'f', seats: 'all' } }] },
      });
      expect(res.status).toBe(200);
      expect(res.body.outcomes).toEqual([
        { ok: false, error: { code: 'INVALID_COMMAND', message: expect.any(String) } },
      ]);
      expect(await stateDigest(gw)).toEqual(before);
    });
  });
}
