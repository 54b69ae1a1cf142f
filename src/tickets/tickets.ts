import { AppError } from '../errors.ts';
import type { Db } from '../persistence/db.ts';
import type { User } from '../user.ts';
import { qrContent, rotatingCode, stepAt } from './credential.ts';
import { credentialOf, ensureCredentials, reissue, reissueIn } from './credentials.ts';
import {
  placesNotTransferable,
  recipientAtLimit,
  recipientNotFound,
  ticketNotFound,
  ticketNotValid,
  transferToSelf,
} from './errors.ts';
import { queueTransferMails } from './mail.ts';
import type { TicketsDeps } from './ports.ts';

// The tickets capability: a fan's tickets with their credentials, the QR code that presents
// one, reissues and transfers. The tickets' rows are the orders' (written from the journal);
// this folder owns who holds each one now and the credential that proves it.

export interface TicketView {
  id: string;
  orderId: string;
  eventId: string;
  eventName: string | null;
  startsAt: string | null;
  /** The seat's public id, or the area's id for a standing place. */
  item: string;
  /** 0 for a seat; standing places are numbered 1..n within their order. */
  place: number;
  label: string;
  category: string;
  status: 'valid' | 'refunded' | 'cancelled';
  /** The current credential's version (null: none issued, the ticket is not valid). */
  credentialVersion: number | null;
  issuedAt: string | null;
  /** Moved to its owner by a transfer (not bought by them). */
  transferred: boolean;
}

interface Row {
  id: string;
  order_id: string;
  event_id: string;
  event_name: string | null;
  starts_at: Date | string | null;
  item: string;
  place: number;
  label: string;
  category: string;
  status: TicketView['status'];
  fan_id: string;
  owner_id: string;
  version: number | null;
  issued_at: Date | string | null;
}

const SELECT = `
  SELECT t.id, t.order_id, t.event_id, e.name AS event_name, e.starts_at, t.item, t.place, t.label,
         t.category, t.status, o.fan_id, coalesce(c.owner_id, o.fan_id) AS owner_id, c.version, c.issued_at
    FROM tickets t JOIN orders o ON o.id = t.order_id
    LEFT JOIN events e ON e.id = t.event_id
    LEFT JOIN ticket_credentials c ON c.ticket_id = t.id`;

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

function view(r: Row): TicketView {
  return {
    id: r.id,
    orderId: r.order_id,
    eventId: r.event_id,
    eventName: r.event_name,
    startsAt: iso(r.starts_at),
    item: r.item,
    place: r.place,
    label: r.label,
    category: r.category,
    status: r.status,
    credentialVersion: r.version,
    issuedAt: iso(r.issued_at),
    transferred: r.owner_id !== r.fan_id,
  };
}

/** A fan's list is bounded; nobody holds more valid tickets than this many events allow. */
const LIST_MAX = 500;

export type QrFormat = 'png' | 'svg';

export interface QrImage {
  contentType: string;
  body: Uint8Array | string;
  /** The rotating code's step the image carries: it stops admitting about STEP_SECONDS later. */
  step: number;
}

export interface TransferResult {
  ticketId: string;
  eventId: string;
  /** The recipient's email. */
  to: string;
  credentialVersion: number;
}

// qrcode is loaded on the first QR asked for: most processes never draw one.
let qrcode: Promise<typeof import('qrcode')> | null = null;
const loadQr = () => {
  qrcode ??= import('qrcode').then((m) => (m as { default?: typeof import('qrcode') }).default ?? m);
  return qrcode;
};

export class Tickets {
  constructor(
    private readonly db: Db,
    private readonly deps: TicketsDeps,
  ) {}

  /** The fan's valid tickets, each with its credential (issued now for those that had none). */
  async mine(user: User): Promise<TicketView[]> {
    const read = () =>
      this.db.query<Row>(
        `${SELECT}
          WHERE t.status = 'valid' AND (c.owner_id = $1 OR (c.ticket_id IS NULL AND o.fan_id = $1))
          ORDER BY e.starts_at NULLS LAST, t.event_id, t.label, t.place, t.id LIMIT ${LIST_MAX}`,
        [user.id],
      );
    let { rows } = await read();
    const missing = rows.filter((r) => r.version === null);
    if (missing.length > 0) {
      for (const eventId of new Set(missing.map((r) => r.event_id)))
        await ensureCredentials(
          this.db,
          eventId,
          missing.filter((r) => r.event_id === eventId).map((r) => r.id),
        );
      ({ rows } = await read());
    }
    return rows.map(view);
  }

  private async row(ticketId: string): Promise<Row | null> {
    const { rows } = await this.db.query<Row>(`${SELECT} WHERE t.id = $1`, [ticketId]);
    return rows[0] ?? null;
  }

  /** The ticket as its owner (or an operator, `any`) reads it; others get TICKET_NOT_FOUND. */
  async get(ticketId: string, user: User, any: boolean): Promise<TicketView> {
    let r = await this.row(ticketId);
    if (!r || (r.owner_id !== user.id && !any)) throw ticketNotFound(ticketId);
    if (r.status === 'valid' && r.version === null) {
      await ensureCredentials(this.db, r.event_id, [r.id]);
      r = (await this.row(ticketId))!;
    }
    return view(r);
  }

  /** The owner's ticket, valid, with its credential issued. */
  private async owned(ticketId: string, user: User): Promise<Row> {
    const r = await this.row(ticketId);
    if (!r || r.owner_id !== user.id) throw ticketNotFound(ticketId);
    if (r.status !== 'valid') throw ticketNotValid(ticketId, r.status);
    if (r.version === null) await ensureCredentials(this.db, r.event_id, [r.id]);
    return r;
  }

  /** The QR code the owner shows at the gate: the credential, the step and its rotating code. */
  async qr(ticketId: string, user: User, format: QrFormat, nowMs = Date.now()): Promise<QrImage> {
    await this.owned(ticketId, user);
    const cred = (await credentialOf(this.db, ticketId))!;
    const step = stepAt(nowMs);
    const content = qrContent(cred.credential, step, rotatingCode(cred.secret, step));
    const QR = await loadQr();
    // Level M: the content is about 300 characters; M keeps the modules large enough for a
    // phone screen under a scanner while surviving a scratch or a glare spot.
    const opts = { errorCorrectionLevel: 'M' as const, margin: 2 };
    if (format === 'svg')
      return {
        contentType: 'image/svg+xml',
        body: await QR.toString(content, { ...opts, type: 'svg' }),
        step,
      };
    return {
      contentType: 'image/png',
      body: await QR.toBuffer(content, { ...opts, type: 'png', scale: 6 }),
      step,
    };
  }

  /** An operator's reissue: a new credential version, the old one revoked (reason e.g. "posted online"). */
  async reissue(ticketId: string, reason: string, user: User): Promise<TicketView> {
    const r = await this.row(ticketId);
    if (!r) throw ticketNotFound(ticketId);
    if (r.status !== 'valid') throw ticketNotValid(ticketId, r.status);
    await reissue(this.db, r.event_id, ticketId, reason);
    return this.get(ticketId, user, true);
  }

  /**
   * Moves the owner's ticket to the account with `email`: the seat changes holder in the
   * event's actor (journaled: the seat map knows who holds it), then, in one transaction, the
   * ticket's owner becomes the recipient, its credential is reissued (the sender's stops
   * admitting at once) and both are mailed.
   *
   * The recipient's per-fan limit (tickets and live holds of the event) is the actor's to
   * check, in its own turn, so two transfers to one fan at once cannot both pass it.
   */
  async transfer(ticketId: string, user: User, email: string): Promise<TransferResult> {
    const r = await this.owned(ticketId, user);
    // Standing places: the actor's transfer moves seats between fans, not places.
    if (r.place > 0) throw placesNotTransferable();
    const to = await this.deps.userByEmail(email);
    if (!to) throw recipientNotFound();
    if (to.id === user.id) throw transferToSelf();
    const ev = await this.deps.events.need(r.event_id);
    const seat = ev.layout.seatIndex.get(r.item);
    if (seat === undefined) throw new Error(`ticket ${ticketId}: seat ${r.item} is not in the event's chart`);
    const cred = (await credentialOf(this.db, ticketId))!;
    // Keyed by the credential version and the recipient: a retry answers from the journal;
    // a second transfer of the same version to someone else is refused by the actor (the
    // seat is no longer the sender's).
    const [outcome] = await ev.handle.submit([
      {
        command: { type: 'transfer', orderId: r.order_id, fromFanId: user.id, toFanId: to.id, seats: [seat] },
        key: `transfer:${ticketId}:${cred.version}:${to.id}`,
        by: 'tickets',
      },
    ]);
    if (!outcome.ok) {
      if (outcome.error.code === 'LIMIT_PER_FAN') throw recipientAtLimit(outcome.error.message);
      throw new AppError(outcome.error.code, outcome.error.message);
    }
    const version = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ version: number; owner_id: string }>(
        'SELECT version, owner_id FROM ticket_credentials WHERE ticket_id = $1 FOR UPDATE',
        [ticketId],
      );
      // The same transfer sent twice at once: the first did it all.
      if (rows[0].owner_id === to.id) return rows[0].version;
      if (rows[0].owner_id !== user.id || rows[0].version !== cred.version) throw ticketNotFound(ticketId);
      const { after } = await reissueIn(tx, ticketId, 'transfer', to.id);
      await queueTransferMails(
        tx,
        { ticketId, eventName: ev.name, seat: r.label, from: user.email, to: to.email },
        after.version,
      );
      return after.version;
    });
    this.deps.mailQueued();
    return { ticketId, eventId: ev.id, to: to.email, credentialVersion: version };
  }
}
