import type { Db } from '../persistence/db.ts';

// Scanning's SQL. The scans and admissions tables are scanning's own (schema.ts). It also READS
// the orders' `tickets` table (src/orders/schema.ts: id, event_id, label, status), marked
// "READS src/orders tickets" below: a ticket's state decides in the same statement as its
// admission. The tickets capability's credential version comes in through its port
// (ports.ts: currentVersionSql, versions()).

export interface AdmitResult {
  admitted: boolean;
  /** The ticket's state, null when there is no such ticket of the event. */
  status: string | null;
  version: number | null;
  entries: number;
}

export interface UploadRow {
  nonce: string;
  ticketId: string | null;
  version: number | null;
  scannedAt: string;
  /** The refusal's code, or null for a valid scan. */
  reason: string | null;
}

export interface UploadOutcome {
  nonce: string;
  outcome: 'admitted' | 'duplicate' | 'refused';
  reason: string | null;
  ticketId: string | null;
  repeated: boolean;
}

export interface ScanRow {
  id: number;
  ticketId: string | null;
  version: number | null;
  gate: string;
  direction: 'in' | 'out';
  source: 'online' | 'offline';
  nonce: string | null;
  outcome: 'admitted' | 'exit' | 'duplicate' | 'refused';
  reason: string | null;
  scannedAt: string;
  receivedAt: string;
  /** The ticket's first use, when it has one. */
  firstUse: { scanId: number; gate: string; at: string } | null;
}

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();

/** The most scans one admission statement decides (see ScanStore.admit). */
export const ADMIT_BATCH_MAX = 500;

interface AdmitRequest {
  eventId: string;
  ticketId: string;
  version: number;
  gate: string;
  at: string;
  reentry: boolean;
}

interface PendingAdmit {
  a: AdmitRequest;
  resolve: (r: AdmitResult) => void;
  reject: (e: unknown) => void;
}

export class ScanStore {
  private readonly admitSql: string;
  /** Per event and re-entry setting: the scans waiting for the statement in flight to end. */
  private readonly admitQueues = new Map<string, { queue: PendingAdmit[]; running: boolean }>();

  constructor(
    private readonly db: Db,
    currentVersionSql: string | null,
  ) {
    // The scans' one statement (group commit: every scan that arrived while the previous one
    // was in flight, each ticket at most once): per scan, the ticket's state and credential
    // version (READS src/orders tickets, and the tickets capability's version through its
    // SQL), then the admission (its primary key: the first use happens once; with re-entry,
    // again only after a scan out) and the scan's row, only if admitted. $1 event, $2
    // re-entry, $3 tickets, $4 versions, $5 times, $6 gates; one row back per scan, in order.
    this.admitSql = `
      WITH u AS (
        SELECT * FROM unnest($3::text[], $4::int[], $5::timestamptz[], $6::text[]) WITH ORDINALITY
          AS u(ticket, want, at, gate, i)
      ), s AS (
        SELECT u.i, u.ticket, u.want, u.at, u.gate, t.status, ${currentVersionSql ?? 'u.want'} AS version,
               nextval('scans_id_seq') AS sid
          FROM u LEFT JOIN tickets t ON t.id = u.ticket AND t.event_id = $1
      ), adm AS (
        INSERT INTO admissions (ticket_id, event_id, first_at, first_gate, first_scan_id, last_at)
        SELECT s.ticket, $1, s.at, s.gate, s.sid, s.at FROM s
         WHERE s.status = 'valid' AND s.version = s.want
         ORDER BY s.i
        ON CONFLICT (ticket_id) DO UPDATE
          SET inside = true, entries = admissions.entries + 1, last_at = EXCLUDED.last_at
          WHERE $2::boolean AND NOT admissions.inside
        RETURNING ticket_id, entries
      ), log AS (
        INSERT INTO scans (id, event_id, ticket_id, credential_version, gate, direction, source, outcome, scanned_at)
        SELECT s.sid, $1, s.ticket, s.want, s.gate, 'in', 'online', 'admitted', s.at
          FROM s JOIN adm ON adm.ticket_id = s.ticket
      )
      SELECT s.i, s.status, s.version, adm.entries
        FROM s LEFT JOIN adm ON adm.ticket_id = s.ticket ORDER BY s.i`;
  }

  /**
   * Decides a scan in: admitted (the ticket's admission inserted, or with re-entry renewed),
   * or why not (its state and current version). Scans that arrive while the event's statement
   * is in flight wait and go together in the next one (at most ADMIT_BATCH_MAX); a ticket
   * scanned twice meanwhile goes once per statement, in arrival order, so the first scan wins
   * and the second finds its admission, as two statements one after the other would.
   */
  admit(a: AdmitRequest): Promise<AdmitResult> {
    const key = `${a.eventId}\u0000${a.reentry}`;
    const q = this.admitQueues.get(key) ?? { queue: [], running: false };
    this.admitQueues.set(key, q);
    const p = new Promise<AdmitResult>((resolve, reject) => q.queue.push({ a, resolve, reject }));
    if (!q.running) void this.drain(key, q);
    return p;
  }

  private async drain(key: string, q: { queue: PendingAdmit[]; running: boolean }): Promise<void> {
    q.running = true;
    try {
      while (q.queue.length > 0) {
        // Each ticket once per statement; a later scan of the same ticket waits for the next.
        const batch: PendingAdmit[] = [];
        const rest: PendingAdmit[] = [];
        const seen = new Set<string>();
        for (const x of q.queue) {
          if (batch.length < ADMIT_BATCH_MAX && !seen.has(x.a.ticketId)) {
            seen.add(x.a.ticketId);
            batch.push(x);
          } else rest.push(x);
        }
        q.queue = rest;
        try {
          const results = await this.admitMany(batch);
          for (const [k, x] of batch.entries()) x.resolve(results[k]);
        } catch (e) {
          if (batch.length === 1) batch[0].reject(e);
          // One scan's failure is not the others': each alone, so only its own fails.
          else
            for (const x of batch)
              await this.admitMany([x]).then(
                (r) => x.resolve(r[0]),
                (e1: unknown) => x.reject(e1),
              );
        }
      }
    } finally {
      q.running = false;
      if (this.admitQueues.get(key) === q) this.admitQueues.delete(key);
    }
  }

  private async admitMany(batch: PendingAdmit[]): Promise<AdmitResult[]> {
    const first = batch[0].a;
    const r = await this.db.query<{
      i: number | string;
      status: string | null;
      version: number | null;
      entries: number | null;
    }>(this.admitSql, [
      first.eventId,
      first.reentry,
      batch.map((x) => x.a.ticketId),
      batch.map((x) => x.a.version),
      batch.map((x) => x.a.at),
      batch.map((x) => x.a.gate),
    ]);
    if (r.rows.length !== batch.length)
      throw new Error(`scanning: the admission statement answered ${r.rows.length} rows for ${batch.length}`);
    const out: AdmitResult[] = new Array(batch.length);
    for (const row of r.rows)
      out[Number(row.i) - 1] = {
        admitted: row.entries !== null,
        status: row.status,
        version: row.version === null ? null : Number(row.version),
        entries: row.entries ?? 0,
      };
    return out;
  }

  /** Records a refused duplicate and reads the ticket's first use, in one statement. */
  async duplicate(
    req: { eventId: string; gate: string },
    ticketId: string,
    version: number,
    at: string,
  ): Promise<{ firstAt: string; firstGate: string; inside: boolean } | null> {
    const r = await this.db.query<{ first_at: unknown; first_gate: string; inside: boolean }>(
      `WITH a AS (SELECT first_at, first_gate, inside FROM admissions WHERE ticket_id = $1),
       l AS (INSERT INTO scans (event_id, ticket_id, credential_version, gate, direction, source, outcome, reason, scanned_at)
             VALUES ($2, $1, $3, $4, 'in', 'online', 'duplicate', 'ALREADY_USED', $5))
       SELECT * FROM a`,
      [ticketId, req.eventId, version, req.gate, at],
    );
    const row = r.rows[0];
    return row ? { firstAt: iso(row.first_at), firstGate: row.first_gate, inside: row.inside } : null;
  }

  async logRefusal(
    req: { eventId: string; gate: string },
    ticketId: string | null,
    version: number | null,
    direction: 'in' | 'out',
    reason: string,
    at: string,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO scans (event_id, ticket_id, credential_version, gate, direction, source, outcome, reason, scanned_at)
       VALUES ($1, $2, $3, $4, $5, 'online', 'refused', $6, $7)`,
      [req.eventId, ticketId, version, req.gate, direction, reason, at],
    );
  }

  /** A scan out: the ticket's admission no longer inside; null when it was not inside. */
  async exit(
    req: { eventId: string; gate: string },
    ticketId: string,
    version: number,
    at: string,
  ): Promise<number | null> {
    const r = await this.db.query<{ entries: number }>(
      `WITH a AS (
         UPDATE admissions SET inside = false, last_at = $4
          WHERE ticket_id = $1 AND event_id = $2 AND inside RETURNING entries
       ), l AS (
         INSERT INTO scans (event_id, ticket_id, credential_version, gate, direction, source, outcome, scanned_at)
         SELECT $2, $1, $3, $5, 'out', 'online', 'exit', $4 FROM a
       )
       SELECT entries FROM a`,
      [ticketId, req.eventId, version, at, req.gate],
    );
    return r.rows[0]?.entries ?? null;
  }

  /** The event's valid tickets and their seat labels (READS src/orders tickets). */
  async validTickets(eventId: string): Promise<{ id: string; label: string }[]> {
    const r = await this.db.query<{ id: string; label: string }>(
      `SELECT id, label FROM tickets WHERE event_id = $1 AND status = 'valid' ORDER BY id`,
      [eventId],
    );
    return r.rows;
  }

  /** Each ticket's state (READS src/orders tickets). */
  async ticketStates(eventId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const r = await this.db.query<{ id: string; status: string }>(
      'SELECT id, status FROM tickets WHERE event_id = $1 AND id = ANY($2::text[])',
      [eventId, ids],
    );
    return new Map(r.rows.map((x) => [x.id, x.status]));
  }

  async reentry(eventId: string): Promise<boolean> {
    const r = await this.db.query<{ reentry: boolean }>(
      'SELECT reentry FROM scan_settings WHERE event_id = $1',
      [eventId],
    );
    return r.rows[0]?.reentry ?? false;
  }

  async setReentry(eventId: string, reentry: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO scan_settings (event_id, reentry) VALUES ($1, $2)
       ON CONFLICT (event_id) DO UPDATE SET reentry = EXCLUDED.reentry, updated_at = now()`,
      [eventId, reentry],
    );
  }

  /**
   * Records an offline gate's scans (once per nonce) and reconciles the tickets they touch, in
   * one transaction: each ticket's admission row is locked (made first if the ticket had none),
   * its scans are walked in time order, and each entry's outcome follows: the first in time is
   * the first use; later ones are duplicates unless re-entry is on and a scan out came between.
   * A scan refused online as a duplicate stays one (the fan was not let in).
   */
  async upload(eventId: string, gate: string, rows: UploadRow[], reentry: boolean): Promise<UploadOutcome[]> {
    const nonces = rows.map((r) => r.nonce);
    return this.db.transaction(async (tx) => {
      const inserted = await tx.query<{ nonce: string; ticket_id: string | null; reason: string | null }>(
        `INSERT INTO scans (event_id, ticket_id, credential_version, gate, direction, source, nonce, outcome, reason, scanned_at)
         SELECT $1, u.t, u.n, $2, 'in', 'offline', u.nonce,
                CASE WHEN u.reason IS NULL THEN 'admitted' ELSE 'refused' END, u.reason, u.at
           FROM unnest($3::text[], $4::text[], $5::int[], $6::text[], $7::timestamptz[]) AS u(nonce, t, n, reason, at)
         ON CONFLICT (event_id, nonce) DO NOTHING
         RETURNING nonce, ticket_id, reason`,
        [
          eventId,
          gate,
          nonces,
          rows.map((r) => r.ticketId),
          rows.map((r) => r.version),
          rows.map((r) => r.reason),
          rows.map((r) => r.scannedAt),
        ],
      );
      const fresh = new Set(inserted.rows.map((r) => r.nonce));
      const touched = [
        ...new Set(inserted.rows.flatMap((r) => (r.reason === null && r.ticket_id ? [r.ticket_id] : []))),
      ].sort();
      if (touched.length > 0) await reconcile(tx, eventId, touched, reentry);
      const final = await tx.query<{
        nonce: string;
        outcome: UploadOutcome['outcome'];
        reason: string | null;
        ticket_id: string | null;
      }>(
        'SELECT nonce, outcome, reason, ticket_id FROM scans WHERE event_id = $1 AND nonce = ANY($2::text[])',
        [eventId, nonces],
      );
      const byNonce = new Map(final.rows.map((r) => [r.nonce, r]));
      const seen = new Set<string>();
      return rows.map((r) => {
        const f = byNonce.get(r.nonce);
        // A nonce twice in one upload: the first copy is the new one.
        const repeated = !fresh.has(r.nonce) || seen.has(r.nonce);
        seen.add(r.nonce);
        return {
          nonce: r.nonce,
          outcome: f?.outcome ?? 'refused',
          reason: f?.reason ?? null,
          ticketId: f?.ticket_id ?? null,
          repeated,
        };
      });
    });
  }

  /** The event's scans, newest first; with `duplicates`, only the duplicates, each with the first use. */
  async list(eventId: string, opts: { duplicates: boolean; limit: number }): Promise<ScanRow[]> {
    const r = await this.db.query<{
      id: number;
      ticket_id: string | null;
      credential_version: number | null;
      gate: string;
      direction: 'in' | 'out';
      source: 'online' | 'offline';
      nonce: string | null;
      outcome: ScanRow['outcome'];
      reason: string | null;
      scanned_at: unknown;
      received_at: unknown;
      first_scan_id: number | null;
      first_gate: string | null;
      first_at: unknown;
    }>(
      `SELECT s.id, s.ticket_id, s.credential_version, s.gate, s.direction, s.source, s.nonce, s.outcome,
              s.reason, s.scanned_at, s.received_at, a.first_scan_id, a.first_gate, a.first_at
         FROM scans s LEFT JOIN admissions a ON a.ticket_id = s.ticket_id
        WHERE s.event_id = $1 ${opts.duplicates ? "AND s.outcome = 'duplicate'" : ''}
        ORDER BY s.scanned_at DESC, s.id DESC LIMIT $2`,
      [eventId, opts.limit],
    );
    return r.rows.map((x) => ({
      id: Number(x.id),
      ticketId: x.ticket_id,
      version: x.credential_version,
      gate: x.gate,
      direction: x.direction,
      source: x.source,
      nonce: x.nonce,
      outcome: x.outcome,
      reason: x.reason,
      scannedAt: iso(x.scanned_at),
      receivedAt: iso(x.received_at),
      firstUse:
        x.first_scan_id === null
          ? null
          : { scanId: Number(x.first_scan_id), gate: x.first_gate!, at: iso(x.first_at) },
    }));
  }
}

async function reconcile(tx: Db, eventId: string, tickets: string[], reentry: boolean): Promise<void> {
  // Lock each ticket's admission, in ticket order (two uploads never wait on each other in a
  // circle); a ticket without one gets a placeholder, rewritten below.
  await tx.query(
    `INSERT INTO admissions (ticket_id, event_id, first_at, first_gate, first_scan_id, last_at)
     SELECT u.t, $1, now(), '', 0, now() FROM unnest($2::text[]) AS u(t) ORDER BY u.t
     ON CONFLICT (ticket_id) DO NOTHING`,
    [eventId, tickets],
  );
  await tx.query(
    'SELECT ticket_id FROM admissions WHERE ticket_id = ANY($1::text[]) ORDER BY ticket_id FOR UPDATE',
    [tickets],
  );
  const scans = await tx.query<{
    id: number;
    ticket_id: string;
    gate: string;
    direction: 'in' | 'out';
    source: 'online' | 'offline';
    outcome: string;
    scanned_at: unknown;
  }>(
    `SELECT id, ticket_id, gate, direction, source, outcome, scanned_at FROM scans
      WHERE event_id = $1 AND ticket_id = ANY($2::text[]) AND outcome <> 'refused'
      ORDER BY ticket_id, scanned_at, id`,
    [eventId, tickets],
  );
  const changedIds: number[] = [];
  const changedTo: string[] = [];
  const adm = new Map<
    string,
    { inside: boolean; entries: number; first: { id: number; gate: string; at: string } | null; last: string }
  >();
  for (const s of scans.rows) {
    let a = adm.get(s.ticket_id);
    const at = iso(s.scanned_at);
    if (!a) {
      a = { inside: false, entries: 0, first: null, last: at };
      adm.set(s.ticket_id, a);
    }
    let outcome = s.outcome;
    if (s.direction === 'out') {
      a.inside = false;
      a.last = at;
    } else if (s.source === 'online' && s.outcome === 'duplicate') {
      // Refused at the gate: changes nothing.
    } else if (!a.inside && (a.first === null || reentry)) {
      outcome = 'admitted';
      a.inside = true;
      a.entries++;
      a.first ??= { id: Number(s.id), gate: s.gate, at };
      a.last = at;
    } else {
      outcome = 'duplicate';
    }
    if (outcome !== s.outcome) {
      changedIds.push(Number(s.id));
      changedTo.push(outcome);
    }
  }
  if (changedIds.length > 0)
    await tx.query(
      `UPDATE scans s SET outcome = u.o FROM unnest($1::bigint[], $2::text[]) AS u(id, o) WHERE s.id = u.id`,
      [changedIds, changedTo],
    );
  const ids = [...adm.keys()].filter((t) => adm.get(t)!.first !== null);
  await tx.query(
    `UPDATE admissions a SET first_at = u.first_at, first_gate = u.first_gate, first_scan_id = u.first_id,
            inside = u.inside, entries = u.entries, last_at = u.last_at
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::bigint[], $5::boolean[], $6::int[], $7::timestamptz[])
            AS u(t, first_at, first_gate, first_id, inside, entries, last_at)
      WHERE a.ticket_id = u.t`,
    [
      ids,
      ids.map((t) => adm.get(t)!.first!.at),
      ids.map((t) => adm.get(t)!.first!.gate),
      ids.map((t) => adm.get(t)!.first!.id),
      ids.map((t) => adm.get(t)!.inside),
      ids.map((t) => adm.get(t)!.entries),
      ids.map((t) => adm.get(t)!.last),
    ],
  );
}
