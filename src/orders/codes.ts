import { z } from 'zod';
import type { Db } from '../persistence/db.ts';
import { OrderError } from './errors.ts';
import type { Amount } from './pricing.ts';

// Promo codes (a discount) and presale codes (the presale opens for whoever has one). A code's
// uses are counted in the same transaction as the order that takes it, by one conditional
// UPDATE: two checkouts racing for the last use cannot both get it (the row lock orders them,
// the condition refuses the second), and an order given up before payment gives its use back.

export const codeSchema = z
  .object({
    code: z
      .string()
      .regex(/^[A-Za-z0-9_-]{3,32}$/, '3–32 letters, digits, _ or -')
      .transform((c) => c.toUpperCase()),
    kind: z.enum(['discount', 'presale']),
    discount: z
      .union([
        z.object({ fixed: z.number().int().min(1).max(100_000_000) }).strict(),
        z.object({ percentBp: z.number().int().min(1).max(10_000) }).strict(),
      ])
      .optional(),
    maxUses: z.number().int().min(1).max(10_000_000).nullable().optional(),
    validFrom: z.iso.datetime({ offset: true }).nullable().optional(),
    validUntil: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict()
  .refine((c) => (c.kind === 'discount') === (c.discount !== undefined), {
    message: 'a discount code needs `discount`; a presale code has none',
    path: ['discount'],
  })
  .refine((c) => !c.validFrom || !c.validUntil || Date.parse(c.validFrom) < Date.parse(c.validUntil), {
    message: 'validFrom must be before validUntil',
    path: ['validUntil'],
  });
export type CodeInput = z.output<typeof codeSchema>;

export interface Code {
  code: string;
  kind: 'discount' | 'presale';
  discount: Amount | null;
  maxUses: number | null;
  uses: number;
  validFrom: string | null;
  validUntil: string | null;
}

interface CodeRow {
  code: string;
  kind: 'discount' | 'presale';
  discount: Amount | null;
  max_uses: number | null;
  uses: number;
  valid_from: Date | null;
  valid_until: Date | null;
}

const toCode = (r: CodeRow): Code => ({
  code: r.code,
  kind: r.kind,
  discount: r.discount,
  maxUses: r.max_uses,
  uses: r.uses,
  validFrom: r.valid_from ? new Date(r.valid_from).toISOString() : null,
  validUntil: r.valid_until ? new Date(r.valid_until).toISOString() : null,
});

const COLUMNS = 'code, kind, discount, max_uses, uses, valid_from, valid_until';

export async function createCode(db: Db, eventId: string, c: CodeInput): Promise<Code> {
  const { rows } = await db.query<CodeRow>(
    `INSERT INTO codes (event_id, code, kind, discount, max_uses, valid_from, valid_until)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    [
      eventId,
      c.code,
      c.kind,
      c.discount ? JSON.stringify(c.discount) : null,
      c.maxUses ?? null,
      c.validFrom ?? null,
      c.validUntil ?? null,
    ],
  );
  if (!rows[0]) throw new OrderError('CODE_EXISTS', `the event has a code "${c.code}" already`);
  return toCode(rows[0]);
}

export async function listCodes(db: Db, eventId: string): Promise<Code[]> {
  const { rows } = await db.query<CodeRow>(`SELECT ${COLUMNS} FROM codes WHERE event_id = $1 ORDER BY code`, [
    eventId,
  ]);
  return rows.map(toCode);
}

export async function deleteCode(db: Db, eventId: string, code: string): Promise<void> {
  const { rowCount } = await db.query('DELETE FROM codes WHERE event_id = $1 AND code = $2', [
    eventId,
    code.toUpperCase(),
  ]);
  if (rowCount === 0) throw codeNotFound(code);
}

const codeNotFound = (code: string) =>
  new OrderError('CODE_NOT_FOUND', `no code "${code.slice(0, 32)}" for this event`);

/** Is `code` a presale code of the event, valid now? (Holds during the presale ask.) */
export async function presaleCodeValid(db: Db, eventId: string, code: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(
    `SELECT true AS ok FROM codes WHERE event_id = $1 AND code = $2 AND kind = 'presale'
       AND (valid_from IS NULL OR valid_from <= now()) AND (valid_until IS NULL OR valid_until > now())
       AND (max_uses IS NULL OR uses < max_uses)`,
    [eventId, code.toUpperCase()],
  );
  return rows.length > 0;
}

/**
 * Takes one use of a code for an order, in the order's transaction; the discount it gives
 * (null for a presale code). Refuses, changing nothing, a code that is unknown, used up, or
 * outside its validity window.
 */
export async function takeCode(tx: Db, eventId: string, code: string): Promise<Amount | null> {
  const c = code.toUpperCase();
  const { rows } = await tx.query<{ discount: Amount | null }>(
    `UPDATE codes SET uses = uses + 1
      WHERE event_id = $1 AND code = $2 AND (max_uses IS NULL OR uses < max_uses)
        AND (valid_from IS NULL OR valid_from <= now()) AND (valid_until IS NULL OR valid_until > now())
      RETURNING discount`,
    [eventId, c],
  );
  if (rows[0]) return rows[0].discount;
  // Why not: one more read, on the refusal path only.
  const { rows: found } = await tx.query<CodeRow>(
    `SELECT ${COLUMNS} FROM codes WHERE event_id = $1 AND code = $2`,
    [eventId, c],
  );
  const r = found[0];
  if (!r) throw codeNotFound(code);
  if (r.max_uses !== null && r.uses >= r.max_uses)
    throw new OrderError('CODE_USED_UP', `code "${c}" is used up`);
  throw new OrderError('CODE_NOT_VALID_NOW', `code "${c}" is not valid at this time`);
}

/** Gives an order's use of its code back (the order expired or was cancelled unpaid). */
export async function returnCode(tx: Db, eventId: string, code: string): Promise<void> {
  await tx.query('UPDATE codes SET uses = uses - 1 WHERE event_id = $1 AND code = $2 AND uses > 0', [
    eventId,
    code,
  ]);
}
