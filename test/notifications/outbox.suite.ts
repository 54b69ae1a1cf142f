import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/gateway/metrics.ts';
import { enqueueMail, type OutgoingMail, pendingMails } from '../../src/notifications/outbox.ts';
import { OutboxSender, type SenderOptions } from '../../src/notifications/sender.ts';
import { orderConfirmed } from '../../src/notifications/templates.ts';
import {
  type MailTransport,
  type Message,
  mailTransport,
  smtpTransport,
} from '../../src/notifications/transport.ts';
import type { Db } from '../../src/persistence/db.ts';
import type { SuiteContext } from '../persistence/adapters.ts';
import { parseEml } from './eml.ts';
import { type LocalSmtp, startSmtp } from './smtp.ts';

// The outbox and its sender on one database adapter (`ctx.db`, migrated): mail commits and
// rolls back with the caller's transaction, is sent once per (kind, dedupe key), reaches a
// file or a real SMTP server, is retried with backoff and given up on after maxAttempts,
// and two senders never send one row twice.

interface Row {
  id: number;
  attempts: number;
  sent_at: Date | null;
  failed_at: Date | null;
  last_error: string | null;
  next_attempt_at: Date;
}

const quiet = pino({ level: 'silent' });

/** A transport that keeps what it is given (optionally slowly, to widen races). */
function recording(delayMs = 0): MailTransport & { sent: Message[] } {
  const sent: Message[] = [];
  return {
    kind: 'file',
    sent,
    async send(m) {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      sent.push(m);
    },
    close() {},
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let serial = 0;
function mail(over: Partial<OutgoingMail> = {}): OutgoingMail {
  serial++;
  return {
    kind: 'order_confirmed',
    dedupeKey: `ord_${serial}`,
    to: 'fan@example.com',
    subject: `Order confirmed (ord_${serial})`,
    text: `Thank you for order ord_${serial}.\n`,
    ...over,
  };
}

export function outboxSuite(ctx: SuiteContext): void {
  let db: Db;
  const senders: OutboxSender[] = [];
  const smtps: LocalSmtp[] = [];
  const dirs: string[] = [];

  function sender(transport: MailTransport, opts: Partial<SenderOptions> = {}, on: Db = db): OutboxSender {
    const s = new OutboxSender(on, transport, { from: 'onsale <tickets@localhost>', log: quiet, ...opts });
    senders.push(s);
    return s;
  }
  async function smtp(opts?: Parameters<typeof startSmtp>[0]): Promise<LocalSmtp> {
    const s = await startSmtp(opts);
    smtps.push(s);
    return s;
  }
  const rows = async () =>
    (
      await db.query<Row>(
        'SELECT id, attempts, sent_at, failed_at, last_error, next_attempt_at FROM outbox ORDER BY id',
      )
    ).rows;
  const row = async (id: number) => (await rows()).find((r) => r.id === id);

  beforeAll(async () => {
    db = ctx.db;
    // Stands for a capability's table: the state change a mail goes with.
    await db.exec('CREATE TABLE IF NOT EXISTS mail_probe (id text PRIMARY KEY)');
  });
  beforeEach(async () => {
    await db.exec('TRUNCATE outbox, mail_probe');
  });
  afterEach(async () => {
    for (const s of senders.splice(0)) await s.close();
    for (const s of smtps.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  describe('enqueueMail', () => {
    it('in a committed transaction: one row beside the change, sent once', async () => {
      const m = mail();
      const queued = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO mail_probe (id) VALUES ($1)', [m.dedupeKey]);
        return enqueueMail(tx, m);
      });
      expect(queued).toBe(true);
      expect(await rows()).toHaveLength(1);
      expect(await pendingMails(db)).toBe(1);

      const t = recording();
      const s = sender(t);
      await s.drain();
      await s.drain();
      expect(t.sent).toHaveLength(1);
      expect(t.sent[0]).toMatchObject({
        from: 'onsale <tickets@localhost>',
        to: m.to,
        subject: m.subject,
        text: m.text,
      });
      const [r] = await rows();
      expect(t.sent[0].id).toBe(r.id);
      expect(r.sent_at).not.toBeNull();
      expect(r.attempts).toBe(1);
      expect(await pendingMails(db)).toBe(0);
    });

    it('in a transaction that throws: neither the change nor the mail, nothing sent', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO mail_probe (id) VALUES ($1)', ['x']);
          expect(await enqueueMail(tx, mail())).toBe(true);
          throw new Error('the payment failed after all');
        }),
      ).rejects.toThrow('the payment failed after all');
      expect(await rows()).toHaveLength(0);
      expect((await db.query('SELECT * FROM mail_probe')).rows).toHaveLength(0);
      const t = recording();
      await sender(t).drain();
      expect(t.sent).toHaveLength(0);
    });

    it('the same (kind, dedupe key) twice is one row and one mail; another kind is another mail', async () => {
      const m = mail();
      expect(await db.transaction((tx) => enqueueMail(tx, m))).toBe(true);
      expect(await db.transaction((tx) => enqueueMail(tx, { ...m, subject: 'again' }))).toBe(false);
      expect(
        await db.transaction(async (tx) => [await enqueueMail(tx, m), await enqueueMail(tx, m)]),
      ).toEqual([false, false]);
      expect(await db.transaction((tx) => enqueueMail(tx, { ...m, kind: 'order_refunded' }))).toBe(true);
      const t = recording();
      await sender(t).drain();
      expect(t.sent.map((x) => x.subject)).toEqual([m.subject, m.subject]);
      expect((await rows()).length).toBe(2);
      // Once sent, the key still refuses a second mail.
      expect(await db.transaction((tx) => enqueueMail(tx, m))).toBe(false);
    });

    it('a bad address is a MailError and writes nothing; the transaction can go on', async () => {
      await db.transaction(async (tx) => {
        await expect(enqueueMail(tx, mail({ to: 'fan at example.com' }))).rejects.toMatchObject({
          code: 'INVALID_MAIL',
          message: expect.stringContaining('to:'),
        });
        await tx.query('INSERT INTO mail_probe (id) VALUES ($1)', ['still fine']);
      });
      expect(await rows()).toHaveLength(0);
      expect((await db.query('SELECT * FROM mail_probe')).rows).toHaveLength(1);
    });
  });

  describe('transports', () => {
    it('by default, a parseable .eml per mail under <ONSALE_DATA_DIR>/outbox, named by outbox id', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'onsale-mail-'));
      dirs.push(dataDir);
      const rendered = orderConfirmed({
        orderId: 'ord_7',
        eventName: 'Hollow Heros — Live',
        name: 'Zoë',
        email: 'zoe@example.com',
        currency: 'EUR',
        lines: [{ label: 'Block A, row 3, seat 12', price: 4500 }],
        total: 4500,
      });
      await db.transaction((tx) =>
        enqueueMail(tx, { kind: 'order_confirmed', dedupeKey: 'ord_7', to: 'zoe@example.com', ...rendered }),
      );
      const transport = mailTransport({ ONSALE_DATA_DIR: dataDir });
      expect(transport.kind).toBe('file');
      await sender(transport).drain();
      const [r] = await rows();
      expect(r.sent_at).not.toBeNull();
      const dir = join(dataDir, 'outbox');
      expect(readdirSync(dir)).toEqual([`${r.id}.eml`]); // no temp file left behind
      const raw = readFileSync(join(dir, `${r.id}.eml`));
      expect(raw.includes('\r\n')).toBe(true);
      const eml = parseEml(raw);
      expect(eml.headers.to).toBe('zoe@example.com');
      expect(eml.headers.from).toBe('onsale <tickets@localhost>');
      expect(eml.headers.subject).toBe(rendered.subject);
      expect(eml.headers['message-id']).toBe(`<outbox-${r.id}@localhost>`);
      expect(eml.headers['auto-submitted']).toBe('auto-generated');
      expect(eml.headers['content-type']).toMatch(/^text\/plain; charset=utf-8/);
      expect(new Date(eml.headers.date).getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(eml.text).toBe(rendered.text);
      expect(eml.text).toContain('€45.00');
    });

    it('with SMTP_URL, a real SMTP server gets the mail with its envelope and content', async () => {
      const server = await smtp();
      const transport = mailTransport({ SMTP_URL: server.url, ONSALE_DATA_DIR: '/nonexistent' });
      expect(transport.kind).toBe('smtp');
      const m = mail({
        to: 'fan@example.com',
        subject: 'Grüße — order confirmed',
        text: 'Line one\nLine twö\n',
      });
      await db.transaction((tx) => enqueueMail(tx, m));
      await sender(transport, { from: 'Box Office <box@onsale.example>' }).drain();
      expect(server.received).toHaveLength(1);
      const got = server.received[0];
      expect(got.mailFrom).toBe('box@onsale.example');
      expect(got.rcptTo).toEqual(['fan@example.com']);
      const eml = parseEml(got.raw);
      expect(eml.headers.from).toBe('Box Office <box@onsale.example>');
      expect(eml.headers.to).toBe('fan@example.com');
      expect(eml.headers.subject).toBe(m.subject);
      expect(eml.text).toBe(m.text);
      const [r] = await rows();
      expect(eml.headers['message-id']).toBe(`<outbox-${r.id}@onsale.example>`);
      expect(r).toMatchObject({ attempts: 1, failed_at: null, last_error: null });
      expect(r.sent_at).not.toBeNull();
    });
  });

  describe('retries', () => {
    it('a server that answers 451 twice is retried with backoff until it takes the mail', async () => {
      const server = await smtp({ failFirst: 2 });
      const metrics = createMetrics();
      const backoff = { baseMs: 40, capMs: 80 };
      const s = sender(smtpTransport(server.url), { pollMs: 10, backoff, metrics });
      await db.transaction((tx) => enqueueMail(tx, mail()));
      s.start();
      const [{ id }] = await rows();
      await waitFor('the mail to be sent', async () => (await row(id))?.sent_at != null);
      const r = await row(id);
      expect(r).toMatchObject({ attempts: 3, failed_at: null });
      expect(r?.last_error).toMatch(/451/); // the last failure stays for an operator to see
      expect(server.attempts).toHaveLength(3);
      expect(server.received).toHaveLength(1);
      // Equal jitter: the first wait is at least half the base, the second at least the base.
      const [a, b, c] = server.attempts;
      expect(b - a).toBeGreaterThanOrEqual(backoff.baseMs / 2 - 5);
      expect(c - b).toBeGreaterThanOrEqual(backoff.baseMs - 5);
      expect((await metrics.mailSent.get()).values[0].value).toBe(1);
      const failures = (await metrics.mailFailures.get()).values;
      expect(failures.map((v) => [v.labels.result, v.value])).toEqual([['retry', 2]]);
      await s.drain();
      expect((await metrics.outboxPending.get()).values[0].value).toBe(0);
    });

    it('after maxAttempts failures the row is marked failed, logged, and never tried again', async () => {
      const server = await smtp({ failFirst: Number.POSITIVE_INFINITY });
      const lines: string[] = [];
      const log = pino({ level: 'warn' }, { write: (l: string) => lines.push(l) });
      const metrics = createMetrics();
      const s = sender(smtpTransport(server.url), {
        pollMs: 10,
        backoff: { baseMs: 5, capMs: 10 },
        maxAttempts: 3,
        log,
        metrics,
      });
      await db.transaction((tx) => enqueueMail(tx, mail()));
      s.start();
      const [{ id }] = await rows();
      await waitFor('the mail to be given up on', async () => (await row(id))?.failed_at != null);
      await new Promise((r) => setTimeout(r, 200)); // 20 polls more
      await s.drain();
      const r = await row(id);
      expect(r).toMatchObject({ attempts: 3, sent_at: null });
      expect(r?.last_error).toMatch(/451/);
      expect(server.attempts).toHaveLength(3);
      expect(server.received).toHaveLength(0);
      const errors = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ outboxId: id, attempts: 3 });
      const failures = (await metrics.mailFailures.get()).values;
      expect(Object.fromEntries(failures.map((v) => [v.labels.result, v.value]))).toEqual({
        retry: 2,
        gave_up: 1,
      });
      expect(await pendingMails(db)).toBe(0);
      expect((await metrics.outboxPending.get()).values[0].value).toBe(0);
    });

    it('a permanent refusal (5xx) is given up on at once', async () => {
      const server = await smtp({ failFirst: Number.POSITIVE_INFINITY, failCode: 550 });
      const s = sender(smtpTransport(server.url), { backoff: { baseMs: 1, capMs: 1 } });
      await db.transaction((tx) => enqueueMail(tx, mail()));
      await s.drain();
      await new Promise((r) => setTimeout(r, 20));
      await s.drain();
      const [r] = await rows();
      expect(r.attempts).toBe(1);
      expect(r.failed_at).not.toBeNull();
      expect(r.last_error).toMatch(/550/);
      expect(server.attempts).toHaveLength(1);
    });

    it('a mail not yet due waits; close() waits for the batch in flight', async () => {
      await db.transaction((tx) => enqueueMail(tx, mail()));
      await db.query("UPDATE outbox SET next_attempt_at = now() + interval '1 hour'");
      const t = recording(50);
      const s = sender(t);
      await s.drain();
      expect(t.sent).toHaveLength(0);
      await db.query('UPDATE outbox SET next_attempt_at = now()');
      s.wake();
      await new Promise((r) => setTimeout(r, 20)); // the send is under way
      await s.close();
      expect(t.sent).toHaveLength(1);
      expect((await rows())[0].sent_at).not.toBeNull();
    });
  });

  describe('passes', () => {
    it('drain() during the end of a pass still sends what was enqueued before it', async () => {
      // The pass's last query (the pending count) is slow, so drain() arrives during it.
      const slowCount: Db = {
        ...db,
        kind: db.kind,
        async query<R>(sql: string, params?: unknown[]) {
          if (sql.includes('count(*)')) await new Promise((r) => setTimeout(r, 60));
          return db.query<R>(sql, params);
        },
      };
      const t = recording();
      const s = sender(t, { metrics: createMetrics() }, slowCount);
      s.wake();
      await new Promise((r) => setTimeout(r, 30));
      await db.transaction((tx) => enqueueMail(tx, mail()));
      await s.drain();
      expect(t.sent).toHaveLength(1);
    });
  });

  describe('two senders', () => {
    it('never send one row twice', async () => {
      const n = 40;
      await db.transaction(async (tx) => {
        for (let i = 0; i < n; i++) await enqueueMail(tx, mail());
      });
      // On Postgres the second sender has its own pool (as another process would); PGlite is
      // one session per directory, so there they share it.
      const other = ctx.adapter.kind === 'postgres' ? await ctx.store.open() : db;
      const ta = recording(3);
      const tb = recording(3);
      const a = sender(ta, { batchSize: 4 });
      const b = sender(tb, { batchSize: 4 }, other);
      await Promise.all([a.drain(), b.drain(), a.drain(), b.drain()]);
      const ids = [...ta.sent, ...tb.sent].map((m) => m.id);
      expect(ids).toHaveLength(n);
      expect(new Set(ids).size).toBe(n);
      expect(ta.sent.length).toBeGreaterThan(0);
      expect(tb.sent.length).toBeGreaterThan(0);
      expect((await rows()).every((r) => r.sent_at !== null && r.attempts === 1)).toBe(true);
      if (other !== db) {
        await b.close();
        await other.close();
      }
    });
  });
}
