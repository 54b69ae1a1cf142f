import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../persistence/db.ts';
import {
  type CredentialPayload,
  checkRotatingCode,
  parseQrContent,
  stepAt,
  verifyCredential,
} from '../tickets/credential.ts';
import { SCAN_CODES, type ScanRefusal, scanRefused } from './errors.ts';
import {
  credentialDigest,
  MANIFEST_TTL_MS,
  type ManifestBody,
  type ManifestTicket,
  type SignedManifest,
  signManifest,
  spkiOf,
} from './offline.ts';
import type { TicketCredentials } from './ports.ts';
import { ScanStore, type UploadRow } from './store.ts';

// Scanning at the gates. Online: a scan is checked in memory (the QR's shape, the signature
// against the event's cached public keys, the event, the cached revocation list, the rotating
// code against the ticket's cached secret) and then decided by one statement (store.ts): the
// ticket's state and current credential version, and the admission row whose primary key
// makes the ticket used exactly once. Offline: the signed manifest, and the upload of what
// the gates scanned, reconciled so that the first scan in time is the first use.

/** The rotating code may be this many 15 s steps from now (the QR on screen changes every step). */
export const CODE_TOLERANCE_STEPS = 1;
/** How long an event's keys, revocation list and re-entry setting are used before being read again. */
export const EVENT_CACHE_MS = 2_000;
const SECRET_CACHE_MAX = 200_000;

/** The payload of a credential this server issued (read from the database: not verified again). */
function payloadOf(credential: string): CredentialPayload | null {
  try {
    const o = JSON.parse(Buffer.from(credential.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return o && o.v === 1 && typeof o.t === 'string' && typeof o.n === 'number'
      ? (o as CredentialPayload)
      : null;
  } catch {
    return null;
  }
}

export interface ScanRequest {
  eventId: string;
  gate: string;
  payload: string;
}

export interface ScanAccepted {
  ticketId: string;
  eventId: string;
  seat: string;
  gate: string;
  direction: 'in' | 'out';
  scannedAt: string;
  /** 1 for the first use; more for re-entries. */
  entries: number;
}

export interface UploadScan {
  nonce: string;
  payload: string;
  scannedAt: string;
}

export interface UploadResult {
  eventId: string;
  /** New scans recorded by this upload (a nonce seen before adds nothing). */
  accepted: number;
  /** Scans whose nonce was uploaded before. */
  repeated: number;
  results: {
    nonce: string;
    outcome: 'admitted' | 'duplicate' | 'refused';
    reason: string | null;
    ticketId: string | null;
    repeated: boolean;
  }[];
}

interface EventCache {
  at: number;
  keys: ReadonlyMap<string, KeyObject>;
  signing: { keyId: string; privateKey: KeyObject } | null;
  /** `${ticketId}:${version}` -> why (a reissue's reason, or 'refunded' / 'cancelled'). */
  revoked: Map<string, string>;
  revokedList: [string, number][];
  reentry: boolean;
}

export interface ScanningDeps {
  db: Db;
  tickets: TicketCredentials;
  log: Logger;
  /** The clock (ms); tests move it. */
  now?: () => number;
}

export class Scanning {
  readonly store: ScanStore;
  private readonly events = new Map<string, Promise<EventCache>>();
  private readonly secrets = new Map<string, Uint8Array>();
  /** Per event: credentialDigest(token) -> its payload and secret, loaded once (see known()). */
  private readonly issued = new Map<
    string,
    Map<string, { p: CredentialPayload; secret: Uint8Array }> | 'loading'
  >();
  private readonly now: () => number;

  constructor(private readonly deps: ScanningDeps) {
    this.store = new ScanStore(deps.db, deps.tickets.currentVersionSql);
    this.now = deps.now ?? Date.now;
  }

  /** Drops what is cached for the event (its keys, revocations or settings changed). */
  invalidate(eventId: string): void {
    this.events.delete(eventId);
  }

  private event(eventId: string): Promise<EventCache> {
    const cached = this.events.get(eventId);
    if (cached) return cached;
    const loading = this.load(eventId);
    this.events.set(eventId, loading);
    loading.then(
      (c) => {
        // Read again after the TTL: the next scan after it starts the reload.
        setTimeout(() => {
          if (this.events.get(eventId) === loading) this.events.delete(eventId);
        }, EVENT_CACHE_MS).unref();
        return c;
      },
      () => this.events.delete(eventId),
    );
    return loading;
  }

  private async load(eventId: string): Promise<EventCache> {
    const { db, tickets } = this.deps;
    const [keys, revokedList, reentry] = await Promise.all([
      tickets.keys(db, eventId),
      tickets.revocations(db, eventId),
      this.store.reentry(eventId),
    ]);
    return {
      at: this.now(),
      keys: keys.publicKeys,
      signing: keys.signing,
      revoked: new Map(revokedList.map(([t, n, why]) => [`${t}:${n}`, why])),
      revokedList: revokedList.map(([t, n]) => [t, n]),
      reentry,
    };
  }

  private async secret(ticketId: string, version: number): Promise<Uint8Array | null> {
    const key = `${ticketId}:${version}`;
    const hit = this.secrets.get(key);
    if (hit) return hit;
    const s = await this.deps.tickets.secret(this.deps.db, ticketId, version);
    if (s) {
      // A (ticket, version)'s secret never changes: safe to keep; bounded all the same.
      if (this.secrets.size >= SECRET_CACHE_MAX) this.secrets.clear();
      this.secrets.set(key, s);
    }
    return s;
  }

  /**
   * The event's issued credentials, by digest, once loaded (the first scan of the event starts
   * the load and does not wait for it). A credential found here was issued by this server, so
   * its signature needs no check (the Ed25519 verification is most of a scan's CPU); it may
   * have been replaced since, which the cached revocation list and the statement's version
   * check catch. Credentials issued later are added as they are first verified.
   */
  private known(eventId: string): Map<string, { p: CredentialPayload; secret: Uint8Array }> | null {
    const got = this.issued.get(eventId);
    if (got === 'loading') return null;
    if (got) return got;
    this.issued.set(eventId, 'loading');
    this.deps.tickets.issued(this.deps.db, eventId).then(
      (rows) => {
        const m = new Map<string, { p: CredentialPayload; secret: Uint8Array }>();
        for (const r of rows) {
          const p = payloadOf(r.credential);
          if (p && p.t === r.ticketId && p.n === r.version && p.e === eventId)
            m.set(credentialDigest(r.credential), { p, secret: r.secret });
        }
        this.issued.set(eventId, m);
      },
      (e) => {
        this.issued.delete(eventId);
        this.deps.log.warn({ err: e, eventId }, 'scanning: loading the issued credentials failed');
      },
    );
    return null;
  }

  /** Everything but the database: the QR, the signature, the event, revocation and (online) the code. */
  private async credential(
    eventId: string,
    payload: string,
    checkCode: boolean,
  ): Promise<
    { ok: true; p: CredentialPayload; ev: EventCache } | { ok: false; reason: ScanRefusal; ticketId?: string }
  > {
    const qr = parseQrContent(payload);
    if (!qr) return { ok: false, reason: 'malformed' };
    const ev = await this.event(eventId);
    const known = this.known(eventId);
    const digest = credentialDigest(qr.credential);
    const hit = known?.get(digest);
    let p: CredentialPayload;
    if (hit) p = hit.p;
    else {
      const v = verifyCredential(qr.credential, ev.keys);
      if (!v.ok) return { ok: false, reason: v.reason };
      p = v.payload;
    }
    if (p.e !== eventId) return { ok: false, reason: 'wrong_event', ticketId: p.t };
    const why = ev.revoked.get(`${p.t}:${p.n}`);
    if (why !== undefined)
      return {
        ok: false,
        reason: why === 'refunded' || why === 'cancelled' ? why : 'revoked',
        ticketId: p.t,
      };
    if (checkCode) {
      const nowStep = stepAt(this.now());
      if (Math.abs(qr.step - nowStep) > CODE_TOLERANCE_STEPS)
        return { ok: false, reason: 'code_expired', ticketId: p.t };
      const secret = hit?.secret ?? (await this.secret(p.t, p.n));
      if (!secret) return { ok: false, reason: 'superseded', ticketId: p.t };
      if (!hit && known && p.e === eventId) known.set(digest, { p, secret });
      if (!checkRotatingCode(secret, qr.step, qr.code, nowStep, CODE_TOLERANCE_STEPS))
        return { ok: false, reason: 'code_wrong', ticketId: p.t };
    }
    return { ok: true, p, ev };
  }

  /** POST /api/scan: admits the ticket once (or again after a scan out, with re-entry on). */
  async scanIn(req: ScanRequest): Promise<ScanAccepted> {
    const at = new Date(this.now()).toISOString();
    const c = await this.credential(req.eventId, req.payload, true);
    if (!c.ok) {
      await this.store.logRefusal(req, c.ticketId ?? null, null, 'in', SCAN_CODES[c.reason], at);
      throw scanRefused(c.reason);
    }
    const { p, ev } = c;
    let versionOk: number | null = null;
    if (this.deps.tickets.currentVersionSql === null) {
      versionOk = (await this.deps.tickets.versions(this.deps.db, [p.t])).get(p.t) ?? null;
      if (versionOk !== p.n)
        return this.refuse(req, p, versionOk === null ? 'unknown_ticket' : 'superseded', at);
    }
    const r = await this.store.admit({
      eventId: req.eventId,
      ticketId: p.t,
      version: p.n,
      gate: req.gate,
      at,
      reentry: ev.reentry,
    });
    if (r.admitted)
      return {
        ticketId: p.t,
        eventId: req.eventId,
        seat: p.s,
        gate: req.gate,
        direction: 'in',
        scannedAt: at,
        entries: r.entries,
      };
    if (r.status === null) return this.refuse(req, p, 'unknown_ticket', at);
    if (r.status === 'refunded' || r.status === 'cancelled') return this.refuse(req, p, r.status, at);
    if (r.version !== p.n) return this.refuse(req, p, 'superseded', at);
    // A valid credential, already used: when and where it was first used.
    const first = await this.store.duplicate(req, p.t, p.n, at);
    throw scanRefused('already_used', {
      ticketId: p.t,
      firstUsedAt: first?.firstAt ?? null,
      firstGate: first?.firstGate ?? null,
      inside: first?.inside ?? true,
    });
  }

  private async refuse(
    req: ScanRequest,
    p: CredentialPayload,
    reason: ScanRefusal,
    at: string,
  ): Promise<never> {
    await this.store.logRefusal(req, p.t, p.n, 'in', SCAN_CODES[reason], at);
    throw scanRefused(reason, { ticketId: p.t });
  }

  /** POST /api/scan/out: the ticket leaves (re-entry on); its next scan in admits it again. */
  async scanOut(req: ScanRequest): Promise<ScanAccepted> {
    const at = new Date(this.now()).toISOString();
    const c = await this.credential(req.eventId, req.payload, true);
    if (!c.ok) {
      await this.store.logRefusal(req, c.ticketId ?? null, null, 'out', SCAN_CODES[c.reason], at);
      throw scanRefused(c.reason);
    }
    const { p, ev } = c;
    if (!ev.reentry) throw scanRefused('reentry_off');
    const entries = await this.store.exit(req, p.t, p.n, at);
    if (entries === null) {
      await this.store.logRefusal(req, p.t, p.n, 'out', SCAN_CODES.not_inside, at);
      throw scanRefused('not_inside', { ticketId: p.t });
    }
    return {
      ticketId: p.t,
      eventId: req.eventId,
      seat: p.s,
      gate: req.gate,
      direction: 'out',
      scannedAt: at,
      entries,
    };
  }

  /** The event's signed offline manifest (its current key signs it). */
  async manifest(eventId: string): Promise<{ manifest: SignedManifest; body: ManifestBody }> {
    // Fresh, not cached: a manifest must carry the revocations made a moment ago.
    this.invalidate(eventId);
    const ev = await this.event(eventId);
    if (!ev.signing) throw scanRefused('unknown_key', { eventId });
    const [labels, credentials] = await Promise.all([
      this.store.validTickets(eventId),
      this.deps.tickets.credentials(this.deps.db, eventId),
    ]);
    const label = new Map(labels.map((t) => [t.id, t.label]));
    const now = this.now();
    const body: ManifestBody = {
      v: 1,
      eventId,
      issuedAt: new Date(now).toISOString(),
      validUntil: new Date(now + MANIFEST_TTL_MS).toISOString(),
      keyId: ev.signing.keyId,
      publicKeys: Object.fromEntries([...ev.keys].map(([id, k]) => [id, spkiOf(k)])),
      revoked: ev.revokedList,
      tickets: credentials.flatMap((c) => {
        const seat = label.get(c.ticketId);
        return seat === undefined
          ? []
          : [[c.ticketId, c.version, seat, credentialDigest(c.credential)] as ManifestTicket];
      }),
    };
    return { manifest: signManifest(body, ev.signing.privateKey), body };
  }

  /**
   * POST /api/scans/upload: what an offline gate scanned. Each scan is checked as online
   * except the rotating code (the scan happened in the past, on a device whose clock is not
   * trusted), recorded once per nonce, and the tickets it touches are reconciled: the first
   * scan in time is the first use, every later entry without a scan out between is a duplicate
   * (an online scan that came later than an offline one included).
   */
  async upload(eventId: string, gate: string, scans: UploadScan[]): Promise<UploadResult> {
    const rows: UploadRow[] = [];
    const checked = await Promise.all(scans.map((s) => this.credential(eventId, s.payload, false)));
    const ids = [...new Set(checked.flatMap((c) => (c.ok ? [c.p.t] : [])))];
    const state = await this.store.ticketStates(eventId, ids);
    const versions =
      ids.length > 0 ? await this.deps.tickets.versions(this.deps.db, ids) : new Map<string, number>();
    scans.forEach((s, i) => {
      const c = checked[i];
      let reason: ScanRefusal | null = null;
      let ticketId: string | null = null;
      let version: number | null = null;
      if (!c.ok) {
        reason = c.reason;
        ticketId = c.ticketId ?? null;
      } else {
        ticketId = c.p.t;
        version = c.p.n;
        const st = state.get(c.p.t);
        if (st === undefined) reason = 'unknown_ticket';
        else if (st !== 'valid') reason = st as 'refunded' | 'cancelled';
        else if (versions.get(c.p.t) !== c.p.n) reason = 'superseded';
      }
      rows.push({
        nonce: s.nonce,
        ticketId,
        version,
        scannedAt: new Date(s.scannedAt).toISOString(),
        reason: reason ? SCAN_CODES[reason] : null,
      });
    });
    const reentry = (await this.event(eventId)).reentry;
    const out = await this.store.upload(eventId, gate, rows, reentry);
    const repeated = out.filter((r) => r.repeated).length;
    return { eventId, accepted: out.length - repeated, repeated, results: out };
  }

  async setReentry(eventId: string, reentry: boolean): Promise<boolean> {
    await this.store.setReentry(eventId, reentry);
    this.invalidate(eventId);
    return reentry;
  }
}
