import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { enqueueMail } from '../../src/notifications/outbox.ts';
import { OutboxSender } from '../../src/notifications/sender.ts';
import { mailTransport } from '../../src/notifications/transport.ts';
import type { Db } from '../../src/persistence/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { parseEml } from './eml.ts';

// Mail in the running server: the sender starts with it, other capabilities reach it as
// server.mail, it writes .eml files under the data directory by default, and /metrics counts.

describe('mail configuration', () => {
  it('SMTP_URL takes smtp:// and smtps:// only; ONSALE_MAIL_FROM has a default', () => {
    expect(loadConfig({}).ONSALE_MAIL_FROM).toBe('onsale <tickets@localhost>');
    expect(loadConfig({}).SMTP_URL).toBeUndefined();
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.com:465' }).SMTP_URL).toBe(
      'smtps://u:p@mail.example.com:465',
    );
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL/);
  });

  it('a From that is not one address is refused when the sender is made', () => {
    const transport = mailTransport({ ONSALE_DATA_DIR: '/nonexistent' });
    const log = pino({ level: 'silent' });
    expect(() => new OutboxSender({} as Db, transport, { from: 'nobody', log })).toThrow(
      /not one mail address/,
    );
    expect(() => new OutboxSender({} as Db, transport, { from: 'a@x.example, b@x.example', log })).toThrow(
      /not one mail address/,
    );
    expect(
      () => new OutboxSender({} as Db, transport, { from: 'onsale <tickets@localhost>', log }),
    ).not.toThrow();
  });
});

describe('mail in the server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ONSALE_MAIL_FROM: 'Tickets <tickets@onsale.example>' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a mail enqueued in a transaction lands in <data dir>/outbox and is counted', async () => {
    const { server } = t;
    await server.db.transaction((tx) =>
      enqueueMail(tx, {
        kind: 'order_confirmed',
        dedupeKey: 'ord_1',
        to: 'fan@example.com',
        subject: 'Order confirmed',
        text: 'Thank you.\n',
      }),
    );
    server.mail.wake();
    await server.mail.drain();
    const files = readdirSync(join(t.dir, 'outbox'));
    expect(files).toHaveLength(1);
    const eml = parseEml(readFileSync(join(t.dir, 'outbox', files[0])));
    expect(eml.headers.from).toBe('Tickets <tickets@onsale.example>');
    expect(eml.headers.subject).toBe('Order confirmed');
    expect(eml.text).toBe('Thank you.\n');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^onsale_mail_sent_total 1$/m);
    expect(metrics).toMatch(/^onsale_outbox_pending 0$/m);
  });
});
