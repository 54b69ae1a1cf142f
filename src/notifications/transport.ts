import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SendMailOptions, Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';

// Where mail goes: by default nodemailer renders each message and it is kept as an .eml file
// under <ONSALE_DATA_DIR>/outbox/ (a server that needs no mail relay still shows what it would
// send); with SMTP_URL set, nodemailer sends it over SMTP. nodemailer does the MIME work
// (headers, encodings, line lengths) and the SMTP dialogue.

/** One message, from an outbox row. */
export interface Message {
  /** The outbox id: names the .eml file and makes the Message-ID. */
  id: number;
  from: string;
  to: string;
  subject: string;
  text: string;
  /** When the change the mail tells of happened (the row's created_at): the Date header. */
  date: Date;
}

export interface MailTransport {
  readonly kind: 'file' | 'smtp';
  /** Resolves once the message is accepted (written, or SMTP 250); rejects with the reason. */
  send(message: Message): Promise<void>;
  close(): void;
}

/**
 * nodemailer's fields for a message. The Message-ID depends on the outbox id alone, so a mail
 * sent again after a crash (delivery is at least once) carries the same id and the same Date,
 * and a receiving system may recognise it as the same message.
 */
export function mailOptions(m: Message): SendMailOptions {
  const domain = fromAddress(m.from).split('@')[1];
  return {
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    date: m.date,
    messageId: `<outbox-${m.id}@${domain}>`,
    // RFC 3834: automatic mail, so auto-responders do not answer it.
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/** The one address in a From value ("onsale <tickets@localhost>"); throws if there is not exactly one. */
export function fromAddress(from: string): string {
  const parsed = addressparser(from, { flatten: true });
  const address = parsed.length === 1 ? parsed[0].address : '';
  if (!/^[^@\s]+@[^@\s]+$/.test(address)) throw new Error(`not one mail address: "${from}"`);
  return address;
}

/**
 * A nodemailer transporter made on the first send: nodemailer keeps about 15 MB resident,
 * which a server that has sent no mail since it started does not need.
 */
function lazyMailer(options: object): { get(): Promise<Transporter>; close(): void } {
  let mailer: Promise<Transporter> | null = null;
  return {
    get() {
      mailer ??= import('nodemailer').then((m) => m.default.createTransport(options));
      return mailer;
    },
    close() {
      void mailer?.then((t) => t.close());
    },
  };
}

/** Each message as `<dir>/<outbox id>.eml`, written whole or not at all (temp file + rename). */
export function fileTransport(dir: string): MailTransport {
  const mailer = lazyMailer({ streamTransport: true, buffer: true, newline: 'windows' });
  let made = false;
  return {
    kind: 'file',
    async send(m) {
      const info = await (await mailer.get()).sendMail(mailOptions(m));
      if (!made) {
        mkdirSync(dir, { recursive: true });
        made = true;
      }
      const path = join(dir, `${m.id}.eml`);
      const tmp = join(dir, `.${m.id}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        writeFileSync(tmp, info.message as Buffer);
        renameSync(tmp, path);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
    },
    close: () => mailer.close(),
  };
}

/**
 * Over SMTP to `url` (smtp://user:pass@host:587, smtps://… for TLS from the start; nodemailer
 * reads further options from the query string). The timeouts bound one send well inside the
 * sender's claim on a row (sender.ts), so a slow server cannot make two senders overlap.
 */
export function smtpTransport(url: string): MailTransport {
  const mailer = lazyMailer({
    url,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  return {
    kind: 'smtp',
    async send(m) {
      await (await mailer.get()).sendMail(mailOptions(m));
    },
    close: () => mailer.close(),
  };
}

/** The transport the configuration asks for: SMTP when SMTP_URL is set, else .eml files. */
export function mailTransport(config: { SMTP_URL?: string; ONSALE_DATA_DIR: string }): MailTransport {
  return config.SMTP_URL
    ? smtpTransport(config.SMTP_URL)
    : fileTransport(join(config.ONSALE_DATA_DIR, 'outbox'));
}
