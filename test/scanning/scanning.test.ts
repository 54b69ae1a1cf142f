import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openManifest, type SignedManifest, verifyOffline } from '../../src/scanning/offline.ts';
import { qrContent, rotatingCode, signCredential, stepAt } from '../../src/tickets/credential.ts';
import { credentialOf, ensureCredentials, reissue } from '../../src/tickets/credentials.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { databaseTargets, dropSchema } from '../support/services.ts';
import { ordinarySeats, Shop, until } from '../support/shop.ts';

// Scanning through the real server, on both databases: tickets bought with the simulated
// provider, their credentials issued by src/tickets, scanned at the gates online (once, at two
// gates at once, forged, wrong event, revoked, replayed, refunded, re-entry), and offline (the
// signed manifest, verifyOffline, uploads reconciled with the online scans).

const ADMIN = { email: 'scan-admin@example.com', password: 'admin-password-1' };

const targets = databaseTargets('scanning_http');

for (const target of targets) {
  describe(`scanning on ${target.name}`, () => {
    let t: TestServer;
    let shop: Shop;
    let admin: string;
    let scanner: string;
    let schema: string | undefined;
    let skip = false;
    /** Valid tickets of the event "gig", bought in beforeAll, each test taking its own. */
    const tickets: string[] = [];
    let orderId = '';
    let otherTicket = '';

    const take = () => {
      const id = tickets.shift();
      if (!id) throw new Error('out of tickets');
      return id;
    };

    /** The QR a fan's app shows now (or at `step`) for the ticket's current credential. */
    const qr = async (ticketId: string, step = stepAt(Date.now())) => {
      const c = await credentialOf(t.server.db, ticketId);
      if (!c) throw new Error(`no credential for ${ticketId}`);
      return qrContent(c.credential, step, rotatingCode(c.secret, step));
    };
    const scan = (payload: string, gate = 'north', eventId = 'gig', path = '/api/scan') =>
      t.call('POST', path, { token: scanner, json: { eventId, gate, payload } });

    const buy = async (fan: string, eventId: string, seats: string[]) => {
      const h = await shop.hold(fan, eventId, seats);
      expect(h.status, h.text).toBe(201);
      const c = await shop.checkout(fan, eventId, [h.body.holdId], `buy-${eventId}-${seats[0]}`);
      expect(c.status, c.text).toBe(201);
      const paid = await shop.confirm(fan, c.body.payment.paymentId);
      expect(paid.status, paid.text).toBe(200);
      const o = await until(
        () => shop.order(fan, c.body.order.id),
        (o) => o.status === 'paid' && o.tickets.length === seats.length,
        { timeoutMs: 15_000, what: 'the order paid with its tickets' },
      );
      await ensureCredentials(t.server.db, eventId);
      return o;
    };

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
      shop = new Shop(t.url);
      admin = await shop.login(ADMIN.email, ADMIN.password);
      const made = await t.call('POST', '/api/admin/users', {
        token: admin,
        json: { email: 'gate@example.com', password: 'scanner-password', role: 'scanner' },
      });
      expect(made.status, made.text).toBe(201);
      scanner = await shop.login('gate@example.com', 'scanner-password');
      const gig = await shop.openEvent(admin, 'gig');
      await shop.openEvent(admin, 'other');
      const [fan, fan2] = await shop.registerFans('scan-fan', 2);
      const seats = ordinarySeats(gig.layout, 16);
      const o = await buy(fan.token, 'gig', seats.slice(0, 8));
      orderId = o.id;
      tickets.push(...o.tickets.map((x) => x.id));
      const o2 = await buy(fan2.token, 'gig', seats.slice(8));
      tickets.push(...o2.tickets.map((x) => x.id));
      const other = await buy(fan.token, 'other', ordinarySeats(await shop.layout('other'), 1));
      otherTicket = other.tickets[0].id;
    }, 120_000);

    afterAll(async () => {
      await t?.stop();
      if (schema) await dropSchema(schema);
    });

    it('given a valid ticket, then its scan is accepted once; scanned again it is ALREADY_USED with when and where', async () => {
      if (skip) return;
      const id = take();
      const first = await scan(await qr(id), 'north');
      expect(first.status, first.text).toBe(200);
      expect(first.body.scan).toMatchObject({
        ticketId: id,
        eventId: 'gig',
        gate: 'north',
        direction: 'in',
        entries: 1,
      });
      const again = await scan(await qr(id), 'south');
      expect(again.status, again.text).toBe(409);
      expect(again.body.error).toMatchObject({
        code: 'ALREADY_USED',
        ticketId: id,
        firstGate: 'north',
        firstUsedAt: first.body.scan.scannedAt,
      });
    });

    it('given one ticket scanned at two gates at once, then exactly one is admitted and the other is ALREADY_USED naming its gate', async () => {
      if (skip) return;
      for (let round = 0; round < 3; round++) {
        const id = take();
        const payload = await qr(id);
        const both = await Promise.all([scan(payload, 'east'), scan(payload, 'west')]);
        const statuses = both.map((r) => r.status).sort();
        expect(statuses, both.map((r) => r.text).join('\n')).toEqual([200, 409]);
        const won = both.find((r) => r.status === 200)!;
        const lost = both.find((r) => r.status === 409)!;
        expect(lost.body.error.code).toBe('ALREADY_USED');
        expect(lost.body.error.firstGate).toBe(won.body.scan.gate);
      }
    });

    it("given a forged signature, a key the event does not have, garbage, or another event's ticket, then each is refused with its own code", async () => {
      if (skip) return;
      const id = take();
      const real = await qr(id);
      const [cred, step, code] = real.split('~');
      const [prefix, body, sig] = cred.split('.');
      const flipped = `${prefix}.${body}.${sig.startsWith('A') ? `B${sig.slice(1)}` : `A${sig.slice(1)}`}`;
      const forged = await scan(`${flipped}~${step}~${code}`);
      expect([forged.status, forged.body.error?.code]).toEqual([422, 'SCAN_BAD_SIGNATURE']);
      const { privateKey } = generateKeyPairSync('ed25519');
      const stranger = signCredential({ v: 1, t: id, e: 'gig', s: 'X', n: 1, k: 'not-a-key' }, privateKey);
      const unknown = await scan(`${stranger}~${step}~${code}`);
      expect([unknown.status, unknown.body.error?.code]).toEqual([422, 'SCAN_UNKNOWN_KEY']);
      const garbage = await scan('hello');
      expect([garbage.status, garbage.body.error?.code]).toEqual([400, 'SCAN_MALFORMED']);
      const wrong = await scan(await qr(otherTicket), 'north', 'gig');
      expect(wrong.body.error?.code).toBe('SCAN_UNKNOWN_KEY'); // another event's key is not this event's
      // Scanned for its own event but presented at this one's gate with this event's id: wrong event.
      const gigKeyCred = await credentialOf(t.server.db, id);
      const kid = JSON.parse(Buffer.from(gigKeyCred!.credential.split('.')[1], 'base64url').toString()).k;
      const keys = await t.server.db.query<{ private_key: Uint8Array }>(
        'SELECT private_key FROM event_keys WHERE event_id = $1 AND key_id = $2',
        ['gig', kid],
      );
      const { createPrivateKey } = await import('node:crypto');
      const gigKey = createPrivateKey({
        key: Buffer.from(keys.rows[0].private_key),
        format: 'der',
        type: 'pkcs8',
      });
      const elsewhere = signCredential({ v: 1, t: id, e: 'other', s: 'X', n: 1, k: kid }, gigKey);
      const we = await scan(`${elsewhere}~${step}~${code}`);
      expect([we.status, we.body.error?.code]).toEqual([422, 'SCAN_WRONG_EVENT']);
      // None of them used the ticket.
      expect((await scan(real)).status).toBe(200);
    });

    it('given a reissued credential, then the old one is refused as revoked and the new one admits', async () => {
      if (skip) return;
      const id = take();
      const old = await qr(id);
      await reissue(t.server.db, 'gig', id, 'posted online');
      // The revocation list is cached for up to 2 s; the statement checks the version anyway.
      const refused = await scan(old);
      expect(refused.status, refused.text).toBe(410);
      expect(['SCAN_REVOKED', 'SCAN_SUPERSEDED']).toContain(refused.body.error.code);
      await new Promise((r) => setTimeout(r, 2_100));
      expect((await scan(old)).body.error?.code).toBe('SCAN_REVOKED');
      const fresh = await scan(await qr(id));
      expect(fresh.status, fresh.text).toBe(200);
    });

    it('given a screenshot replayed 30 s later (its code two steps old), then it is refused; one step old still passes', async () => {
      if (skip) return;
      const id = take();
      const now = stepAt(Date.now());
      const stale = await scan(await qr(id, now - 2));
      expect([stale.status, stale.body.error?.code]).toEqual([422, 'SCAN_CODE_EXPIRED']);
      const c = await credentialOf(t.server.db, id);
      const wrongCode = await scan(qrContent(c!.credential, now, rotatingCode(c!.secret, now + 7)));
      expect(wrongCode.body.error?.code).toBe('SCAN_CODE_WRONG');
      const recent = await scan(await qr(id, stepAt(Date.now()) - 1));
      expect(recent.status, recent.text).toBe(200);
    });

    it('given a refunded ticket, then its scan is refused', async () => {
      if (skip) return;
      const id = take();
      const payload = await qr(id);
      const r = await t.call('POST', `/api/orders/${orderId}/refunds`, {
        token: admin,
        json: { tickets: [id] },
      });
      expect(r.status, r.text).toBe(201);
      await until(
        async () =>
          (await t.server.db.query<{ status: string }>('SELECT status FROM tickets WHERE id = $1', [id]))
            .rows[0].status,
        (s) => s === 'refunded',
        { timeoutMs: 10_000, what: 'the ticket refunded' },
      );
      const refused = await scan(payload);
      expect([refused.status, refused.body.error?.code]).toEqual([409, 'SCAN_TICKET_REFUNDED']);
    });

    it('given re-entry on, then a ticket scanned out comes in again, but not twice without a scan out; with it off scanning out is refused', async () => {
      if (skip) return;
      const id = take();
      const off = await scan(await qr(id), 'north', 'gig', '/api/scan/out');
      expect([off.status, off.body.error?.code]).toEqual([409, 'SCAN_REENTRY_OFF']);
      const set = await t.call('PUT', '/api/events/gig/scanning', { token: admin, json: { reentry: true } });
      expect(set.status, set.text).toBe(200);
      try {
        expect((await scan(await qr(id))).status).toBe(200);
        expect((await scan(await qr(id))).body.error?.code).toBe('ALREADY_USED');
        const out = await scan(await qr(id), 'north', 'gig', '/api/scan/out');
        expect(out.status, out.text).toBe(200);
        expect((await scan(await qr(id), 'north', 'gig', '/api/scan/out')).body.error?.code).toBe(
          'SCAN_NOT_INSIDE',
        );
        const back = await scan(await qr(id), 'south');
        expect(back.status, back.text).toBe(200);
        expect(back.body.scan.entries).toBe(2);
        const read = await t.call('GET', '/api/events/gig/scanning', { token: scanner });
        expect(read.body).toEqual({ eventId: 'gig', reentry: true });
      } finally {
        await t.call('PUT', '/api/events/gig/scanning', { token: admin, json: { reentry: false } });
      }
    });

    it('given the manifest, then its signature verifies, it lists the tickets without secrets, and verifyOffline accepts and refuses as it should', async () => {
      if (skip) return;
      const id = take();
      const m = await t.call('GET', '/api/events/gig/manifest', { token: scanner });
      expect(m.status, m.text).toBe(200);
      const signed = m.body.manifest as SignedManifest;
      const opened = openManifest(signed);
      if (!opened.ok) throw new Error(opened.reason);
      const manifest = opened.manifest;
      expect(manifest.eventId).toBe('gig');
      expect(manifest.tickets.has(id)).toBe(true);
      const secret = (await credentialOf(t.server.db, id))!.secret;
      expect(m.text).not.toContain(Buffer.from(secret).toString('base64url'));
      expect(m.text).not.toContain(Buffer.from(secret).toString('hex'));
      // Tampered: a ticket added.
      const body = JSON.parse(Buffer.from(signed.body, 'base64url').toString());
      body.tickets.push(['tkt_forged', 1, 'Z-1', 'x']);
      const tampered = { ...signed, body: Buffer.from(JSON.stringify(body)).toString('base64url') };
      expect(openManifest(tampered)).toMatchObject({ ok: false, reason: 'bad_signature' });

      const now = Date.now();
      expect(verifyOffline(manifest, await qr(id), now)).toMatchObject({
        ok: true,
        ticketId: id,
        version: 1,
      });
      // A screenshot passes offline (the code is checked online only).
      expect(verifyOffline(manifest, await qr(id, stepAt(now) - 100), now).ok).toBe(true);
      const real = await qr(id);
      const [cred, step, code] = real.split('~');
      const flipped = `${cred.slice(0, -2)}${cred.endsWith('AA') ? 'BB' : 'AA'}`;
      expect(verifyOffline(manifest, `${flipped}~${step}~${code}`, now)).toMatchObject({
        ok: false,
        reason: 'bad_signature',
      });
      expect(verifyOffline(manifest, 'nope', now)).toMatchObject({ ok: false, reason: 'malformed' });
      expect(verifyOffline(manifest, await qr(otherTicket), now)).toMatchObject({
        ok: false,
        reason: 'unknown_key',
      });
      expect(verifyOffline(manifest, real, now + 2 * 86_400_000)).toMatchObject({
        ok: false,
        reason: 'manifest_expired',
      });
      // Reissued after the manifest: a new manifest revokes the old credential.
      await reissue(t.server.db, 'gig', id, 'lost phone');
      const m2 = openManifest(
        (await t.call('GET', '/api/events/gig/manifest', { token: scanner })).body.manifest,
      );
      if (!m2.ok) throw new Error(m2.reason);
      expect(verifyOffline(m2.manifest, real, now)).toMatchObject({
        ok: false,
        reason: 'revoked',
        ticketId: id,
      });
      expect(verifyOffline(m2.manifest, await qr(id), now)).toMatchObject({ ok: true, version: 2 });
    });

    it('given an offline upload sent twice, then the second adds no row', async () => {
      if (skip) return;
      const id = take();
      const upload = {
        eventId: 'gig',
        gate: 'offline-1',
        scans: [{ nonce: `n-${id}`, payload: await qr(id), scannedAt: new Date().toISOString() }],
      };
      const first = await t.call('POST', '/api/scans/upload', { token: scanner, json: upload });
      expect(first.status, first.text).toBe(200);
      expect(first.body).toMatchObject({ accepted: 1, repeated: 0 });
      expect(first.body.results[0]).toMatchObject({ outcome: 'admitted', ticketId: id, repeated: false });
      const count = async () =>
        Number(
          (
            await t.server.db.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM scans WHERE event_id = $1',
              ['gig'],
            )
          ).rows[0].n,
        );
      const before = await count();
      const second = await t.call('POST', '/api/scans/upload', { token: scanner, json: upload });
      expect(second.status, second.text).toBe(200);
      expect(second.body).toMatchObject({ accepted: 0, repeated: 1 });
      expect(second.body.results[0]).toMatchObject({ outcome: 'admitted', repeated: true });
      expect(await count()).toBe(before);
      // Online, the ticket is used already (at the offline gate).
      const online = await scan(await qr(id));
      expect(online.body.error).toMatchObject({ code: 'ALREADY_USED', firstGate: 'offline-1' });
    });

    it('given an online scan and an earlier offline scan of one ticket at two gates, then the earlier is the first use and the other is reported as a duplicate', async () => {
      if (skip) return;
      const id = take();
      const payload = await qr(id);
      const earlier = new Date(Date.now() - 60_000).toISOString();
      const online = await scan(payload, 'main');
      expect(online.status, online.text).toBe(200);
      const up = await t.call('POST', '/api/scans/upload', {
        token: scanner,
        json: {
          eventId: 'gig',
          gate: 'side',
          scans: [{ nonce: `early-${id}`, payload, scannedAt: earlier }],
        },
      });
      expect(up.status, up.text).toBe(200);
      expect(up.body.results[0]).toMatchObject({ outcome: 'admitted', ticketId: id });
      const dups = await t.call('GET', '/api/events/gig/scans?duplicates=1', { token: admin });
      expect(dups.status, dups.text).toBe(200);
      const mine = dups.body.scans.filter((s: { ticketId: string }) => s.ticketId === id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ gate: 'main', source: 'online', outcome: 'duplicate' });
      expect(mine[0].firstUse).toMatchObject({ gate: 'side', at: earlier });
      // A later offline scan of it is a duplicate too.
      const later = await t.call('POST', '/api/scans/upload', {
        token: scanner,
        json: {
          eventId: 'gig',
          gate: 'back',
          scans: [{ nonce: `late-${id}`, payload, scannedAt: new Date().toISOString() }],
        },
      });
      expect(later.body.results[0]).toMatchObject({ outcome: 'duplicate' });
      const again = await scan(payload, 'main');
      expect(again.body.error).toMatchObject({
        code: 'ALREADY_USED',
        firstGate: 'side',
        firstUsedAt: earlier,
      });
      // Scanners cannot read the scans.
      expect((await t.call('GET', '/api/events/gig/scans', { token: scanner })).status).toBe(403);
    });
  });
}
