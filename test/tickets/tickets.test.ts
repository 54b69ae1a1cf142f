import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQrContent, rotatingCode, stepAt, verifyCredential } from '../../src/tickets/credential.ts';
import { credentialOf } from '../../src/tickets/credentials.ts';
import { eventPublicKeys } from '../../src/tickets/keys.ts';
import { tiers } from '../catalog/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { databaseTargets, dropSchema } from '../support/services.ts';

// Tickets through the real server, on both databases: a bought ticket lists with its
// credential, its QR code decodes to a credential the event's key verifies with the current
// rotating code, reissues revoke, key rotation keeps old credentials verifying, transfers
// move the ticket (and the seat in the actor), revoke and mail.

// jsqr is CommonJS with an ES-style default in its types: its function is the module itself.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ??
  jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

const ADMIN = { email: 'tickets-admin@example.com', password: 'admin-password-1' };
const OK_CARD = '4242424242424242';

const targets = databaseTargets('tickets_http');

interface Fan {
  token: string;
  email: string;
  id: string;
}

for (const target of targets) {
  describe(`tickets on ${target.name}`, () => {
    let t: TestServer;
    let admin: string;
    let scanner: string;
    let schema: string | undefined;
    let skip = false;
    const fans: Fan[] = [];
    let n = 0;

    beforeAll(async () => {
      const env = await target.env();
      if (!env) {
        skip = true;
        return;
      }
      schema = env.ONSALE_DB_SCHEMA;
      t = await startTestServer({
        ...env,
        ONSALE_ADMIN_EMAIL: ADMIN.email,
        ONSALE_ADMIN_PASSWORD: ADMIN.password,
      });
      admin = (await t.call('POST', '/api/accounts/login', { json: ADMIN })).body.token;
      for (let i = 0; i < 4; i++) {
        const email = `holder${i}@example.com`;
        const r = await t.call('POST', '/api/accounts/register', {
          json: { email, password: 'fan-password-1' },
        });
        expect(r.status, r.text).toBe(201);
        fans.push({ token: r.body.token, email, id: r.body.user.id });
      }
      const made = await t.call('POST', '/api/admin/users', {
        token: admin,
        json: { email: 'gate@example.com', password: 'scanner-password', role: 'scanner' },
      });
      expect(made.status, made.text).toBe(201);
      scanner = (
        await t.call('POST', '/api/accounts/login', {
          json: { email: 'gate@example.com', password: 'scanner-password' },
        })
      ).body.token;
      const venue = await t.call('POST', '/api/venues', {
        token: admin,
        json: { id: 'hall', name: 'Ticket Hall', city: 'Bergen', chartTemplate: 'theatre' },
      });
      expect(venue.status, venue.text).toBe(201);
      const ev = await t.call('POST', '/api/events', {
        token: admin,
        json: {
          id: 'show',
          name: 'The Ticket Show',
          category: 'concert',
          venueId: 'hall',
          startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          status: 'on_sale',
          priceTiers: tiers(1000),
        },
      });
      expect(ev.status, ev.text).toBe(201);
    }, 90_000);

    afterAll(async () => {
      await t?.stop();
      if (schema) await dropSchema(schema);
    });

    /** Buys the seats for the fan (hold, checkout, the simulated card) and waits for the paid order. */
    const buy = async (fan: Fan, seats: string[]) => {
      const h = await t.call('POST', '/api/holds', { token: fan.token, json: { eventId: 'show', seats } });
      expect(h.status, h.text).toBe(201);
      const c = await t.call('POST', '/api/checkout', {
        token: fan.token,
        json: { eventId: 'show', holdIds: [h.body.holdId] },
        headers: { 'idempotency-key': `t${++n}` },
      });
      expect(c.status, c.text).toBe(201);
      const paid = await t.call('POST', `/api/payments/simulated/${c.body.payment.paymentId}/confirm`, {
        token: fan.token,
        json: { card: OK_CARD },
      });
      expect(paid.status, paid.text).toBe(200);
      let order: { status: string; tickets: { id: string; item: string }[] } | undefined;
      await expect
        .poll(
          async () => {
            order = (await t.call('GET', `/api/orders/${c.body.order.id}`, { token: fan.token })).body.order;
            return order?.status;
          },
          { timeout: 10_000 },
        )
        .toBe('paid');
      return order!.tickets;
    };
    const list = async (fan: Fan) => {
      const r = await t.call('GET', '/api/tickets', { token: fan.token });
      expect(r.status, r.text).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-store');
      return r.body.tickets as { id: string; credentialVersion: number; eventName: string; label: string }[];
    };
    const qr = async (fan: Fan, id: string) => {
      const r = await fetch(`${t.url}/api/tickets/${id}/qr?format=png`, {
        headers: { authorization: `Bearer ${fan.token}` },
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/png');
      expect(r.headers.get('cache-control')).toBe('no-store');
      const png = PNG.sync.read(Buffer.from(await r.arrayBuffer()));
      const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
      expect(decoded).not.toBeNull();
      return decoded!.data;
    };
    const verify = async (token: string) =>
      verifyCredential(token, await eventPublicKeys(t.server.db, 'show'));

    it('given a bought ticket, then it lists with its event, seat and credential version 1; its QR PNG decodes to a credential the event key verifies, with the current rotating code; SVG is served; another fan gets 404', async () => {
      if (skip) return;
      const fan = fans[0];
      const [ticket] = await buy(fan, ['101-A-1']);
      const mine = await list(fan);
      expect(mine).toEqual([
        expect.objectContaining({
          id: ticket.id,
          eventId: 'show',
          eventName: 'The Ticket Show',
          item: '101-A-1',
          status: 'valid',
          credentialVersion: 1,
          transferred: false,
        }),
      ]);
      const one = await t.call('GET', `/api/tickets/${ticket.id}`, { token: fan.token });
      expect([one.status, one.body.ticket?.credentialVersion]).toEqual([200, 1]);

      const content = parseQrContent(await qr(fan, ticket.id));
      expect(content).not.toBeNull();
      const v = await verify(content!.credential);
      expect(v).toMatchObject({ ok: true, payload: { v: 1, t: ticket.id, e: 'show', n: 1 } });
      expect(Math.abs(content!.step - stepAt(Date.now()))).toBeLessThanOrEqual(1);
      const cred = await credentialOf(t.server.db, ticket.id);
      expect(content!.code).toBe(rotatingCode(cred!.secret, content!.step));
      expect(cred!.credential).toBe(content!.credential);

      const svg = await t.call('GET', `/api/tickets/${ticket.id}/qr?format=svg`, { token: fan.token });
      expect(svg.status).toBe(200);
      expect(svg.headers.get('content-type')).toBe('image/svg+xml');
      expect(svg.headers.get('cache-control')).toBe('no-store');
      expect(svg.text).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
      const bad = await t.call('GET', `/api/tickets/${ticket.id}/qr?format=gif`, { token: fan.token });
      expect([bad.status, bad.body.error?.code]).toEqual([400, 'INVALID_QUERY']);

      for (const path of [`/api/tickets/${ticket.id}`, `/api/tickets/${ticket.id}/qr`]) {
        const other = await t.call('GET', path, { token: fans[1].token });
        expect([other.status, other.body.error?.code]).toEqual([404, 'TICKET_NOT_FOUND']);
      }
      expect((await list(fans[1])).map((x) => x.id)).not.toContain(ticket.id);
      // An operator reads any ticket, but only its owner gets its QR code.
      expect((await t.call('GET', `/api/tickets/${ticket.id}`, { token: admin })).status).toBe(200);
      expect((await t.call('GET', `/api/tickets/${ticket.id}/qr`, { token: admin })).status).toBe(404);
      expect((await t.call('GET', '/api/tickets/tkt_none', { token: fan.token })).status).toBe(404);
      expect((await t.call('GET', '/api/tickets')).status).toBe(401);
    });

    it('given a reissue by an operator, then the old version is revoked (listed for the gates), the new one verifies and the QR carries it; a key rotation signs new credentials with the new key while old ones still verify', async () => {
      if (skip) return;
      const fan = fans[0];
      const [ticket] = await buy(fan, ['101-A-2']);
      await list(fan);
      const before = await credentialOf(t.server.db, ticket.id);
      expect(before?.version).toBe(1);
      const refused = await t.call('POST', `/api/tickets/${ticket.id}/reissue`, {
        token: fan.token,
        json: { reason: 'posted online' },
      });
      expect(refused.status).toBe(403);
      const r = await t.call('POST', `/api/tickets/${ticket.id}/reissue`, {
        token: admin,
        json: { reason: 'posted online' },
      });
      expect([r.status, r.body.ticket?.credentialVersion], r.text).toEqual([200, 2]);
      const revs = await t.call('GET', '/api/events/show/revocations', { token: scanner });
      expect(revs.status, revs.text).toBe(200);
      expect(revs.body.revocations).toContainEqual(
        expect.objectContaining({ ticketId: ticket.id, version: 1, reason: 'posted online' }),
      );
      expect(
        revs.body.revocations.some(
          (x: { ticketId: string; version: number }) => x.ticketId === ticket.id && x.version === 2,
        ),
      ).toBe(false);
      const content = parseQrContent(await qr(fan, ticket.id))!;
      expect(await verify(content.credential)).toMatchObject({ ok: true, payload: { t: ticket.id, n: 2 } });
      const after = await credentialOf(t.server.db, ticket.id);
      expect(Buffer.from(after!.secret).equals(Buffer.from(before!.secret))).toBe(false);
      // The old credential still carries a good signature: refusing it is the revocation list's job.
      expect(await verify(before!.credential)).toMatchObject({ ok: true, payload: { n: 1 } });

      const rotated = await t.call('POST', '/api/events/show/keys/rotate', { token: admin });
      expect(rotated.status, rotated.text).toBe(200);
      expect(rotated.body.keys.length).toBeGreaterThanOrEqual(2);
      expect(rotated.body.keys.filter((k: { retiredAt: string | null }) => k.retiredAt === null)).toEqual([
        expect.objectContaining({ keyId: rotated.body.keyId }),
      ]);
      const again = await t.call('POST', `/api/tickets/${ticket.id}/reissue`, {
        token: admin,
        json: { reason: 'lost phone' },
      });
      expect(again.body.ticket.credentialVersion).toBe(3);
      const v3 = await verify((await credentialOf(t.server.db, ticket.id))!.credential);
      expect(v3).toMatchObject({ ok: true, payload: { n: 3, k: rotated.body.keyId } });
      expect(await verify(after!.credential)).toMatchObject({ ok: true, payload: { n: 2 } });
      expect((await t.call('GET', '/api/events/none/revocations', { token: scanner })).status).toBe(404);
      expect((await t.call('GET', '/api/events/show/revocations', { token: fan.token })).status).toBe(403);
    });

    it("given a transfer to another account, then the recipient lists the ticket and the sender does not, the seat is the recipient's in the actor, the old credential is revoked, the new one verifies, and both are mailed", async () => {
      if (skip) return;
      const [from, to] = [fans[2], fans[3]];
      const [ticket] = await buy(from, ['101-B-5']);
      expect((await list(from)).map((x) => x.id)).toContain(ticket.id);
      const old = await credentialOf(t.server.db, ticket.id);
      const r = await t.call('POST', `/api/tickets/${ticket.id}/transfer`, {
        token: from.token,
        json: { email: to.email },
      });
      expect(r.status, r.text).toBe(200);
      expect(r.body.transfer).toEqual({
        ticketId: ticket.id,
        eventId: 'show',
        to: to.email,
        credentialVersion: 2,
      });
      expect((await list(from)).map((x) => x.id)).not.toContain(ticket.id);
      const theirs = await list(to);
      expect(theirs).toContainEqual(
        expect.objectContaining({ id: ticket.id, credentialVersion: 2, transferred: true }),
      );
      // The sender lost it: no QR, no reading it, no second transfer.
      expect((await t.call('GET', `/api/tickets/${ticket.id}/qr`, { token: from.token })).status).toBe(404);
      const twice = await t.call('POST', `/api/tickets/${ticket.id}/transfer`, {
        token: from.token,
        json: { email: fans[1].email },
      });
      expect([twice.status, twice.body.error?.code]).toEqual([404, 'TICKET_NOT_FOUND']);
      // The seat map agrees: the seat's holder in the actor is the recipient.
      const ev = await t.server.events.need('show');
      const order = await ev.handle.query('order', {
        orderId: (await t.call('GET', `/api/tickets/${ticket.id}`, { token: to.token })).body.ticket.orderId,
      });
      expect(order?.seats).toEqual([{ seat: ev.layout.seatIndex.get('101-B-5'), fanId: to.id }]);
      const revs = await t.call('GET', '/api/events/show/revocations', { token: admin });
      expect(revs.body.revocations).toContainEqual(
        expect.objectContaining({ ticketId: ticket.id, version: 1, reason: 'transfer' }),
      );
      const content = parseQrContent(await qr(to, ticket.id))!;
      expect(content.credential).not.toBe(old!.credential);
      expect(await verify(content.credential)).toMatchObject({ ok: true, payload: { t: ticket.id, n: 2 } });
      const { rows } = await t.server.db.query<{ kind: string; recipient: string }>(
        'SELECT kind, recipient FROM outbox WHERE dedupe_key = $1 ORDER BY kind',
        [`${ticket.id}:2`],
      );
      expect(rows).toEqual([
        { kind: 'ticket_received', recipient: to.email },
        { kind: 'ticket_sent', recipient: from.email },
      ]);
    });

    it("given an email with no account, the owner's own, or a recipient at the per-fan limit, then the transfer is refused and nothing changes", async () => {
      if (skip) return;
      const [from, to] = [fans[1], fans[3]];
      const [ticket] = await buy(from, ['101-C-1']);
      const send = (email: string) =>
        t.call('POST', `/api/tickets/${ticket.id}/transfer`, { token: from.token, json: { email } });
      const unknown = await send('nobody-here@example.com');
      expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'RECIPIENT_NOT_FOUND']);
      const self = await send(from.email);
      expect([self.status, self.body.error?.code]).toEqual([422, 'TRANSFER_TO_SELF']);
      // The recipient has one ticket (transferred above); nine more make the default limit of 10.
      const seats = Array.from({ length: 9 }, (_, i) => `101-D-${i + 1}`);
      await buy(to, seats);
      expect((await list(to)).length).toBe(10);
      const full = await send(to.email);
      expect([full.status, full.body.error?.code], full.text).toEqual([422, 'RECIPIENT_AT_LIMIT']);
      expect((await list(from)).map((x) => x.id)).toContain(ticket.id);
      expect((await credentialOf(t.server.db, ticket.id))?.version).toBe(1);
      const bad = await t.call('POST', `/api/tickets/${ticket.id}/transfer`, {
        token: from.token,
        json: { to: to.email },
      });
      expect([bad.status, bad.body.error?.code]).toEqual([400, 'INVALID_BODY']);
    });
  });
}
