import { nanoid } from 'nanoid';
import { z } from 'zod';
import { bestFilterSchema, type Command } from '../domain/commands.ts';
import type { ErrorCode } from '../domain/errors.ts';
import type { Outcome } from '../domain/outcome.ts';
import { eventOfHold, holdIdFor, type LiveEvent, type LiveEvents } from './live-events.ts';
import type { Metrics } from './metrics.ts';
import type { User } from './router.ts';
import { publicId } from './socket-protocol.ts';

// Fan-facing seat commands, shared by the HTTP API and the socket protocol: public seat ids
// in, seat numbers to the actor, public ids back out, one mapping of domain errors to HTTP
// statuses. Idempotency keys are scoped to the account so fans cannot collide.

export const holdRequestSchema = z
  .object({
    eventId: publicId,
    seats: z.array(publicId).min(1).max(100).optional(),
    best: z
      .object({ count: z.number().int().min(1).max(100), filter: bestFilterSchema.optional() })
      .strict()
      .optional(),
    ga: z
      .object({ area: publicId, count: z.number().int().min(1).max(100) })
      .strict()
      .optional(),
  })
  .strict()
  .refine(
    (r) => [r.seats, r.best, r.ga].filter(Boolean).length === 1,
    'give exactly one of seats, best or ga',
  );
export type HoldRequest = z.infer<typeof holdRequestSchema>;

export type Result =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; status: number; code: string; message: string };

const STATUS: Partial<Record<ErrorCode | string, number>> = {
  INVALID_COMMAND: 400,
  UNKNOWN_SEAT: 400,
  UNKNOWN_AREA: 400,
  DUPLICATE_SEAT: 400,
  SEAT_UNAVAILABLE: 409,
  NO_SEATS_AVAILABLE: 409,
  GA_SOLD_OUT: 409,
  HOLD_EXISTS: 409,
  SALE_NOT_OPEN: 409,
  LIMIT_PER_ORDER: 422,
  LIMIT_PER_FAN: 422,
  COMPANION_WITHOUT_ACCESSIBLE: 422,
  HOLD_EXTEND_LIMIT: 422,
  HOLD_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  NOT_HOLDER: 403,
  NOT_OWNER: 403,
  ACCESS_REQUIRED: 403,
  HOLD_EXPIRED: 410,
  UNAVAILABLE: 503,
};

export function fail(code: string, message: string): Result {
  return { ok: false, status: STATUS[code] ?? 400, code, message };
}

/** Decides whether a fan may hold seats of an event now (the waiting room's access token). */
export type AccessCheck = (eventId: string, user: User, accessToken: string | undefined) => Promise<boolean>;

export class SeatCommands {
  constructor(
    private readonly events: LiveEvents,
    private readonly metrics: Metrics,
    private readonly mayHold: AccessCheck,
    /** Hears how long each hold of an event took to answer (the waiting room's capacity signal). */
    private readonly onHold: (eventId: string, ms: number) => void = () => {},
  ) {}

  private async run(live: LiveEvent, command: Command, user: User, key?: string): Promise<Outcome> {
    const out = await live.handle.submit(command, key === undefined ? undefined : `${user.id}:${key}`);
    this.metrics.commands.inc({ event: live.id, type: command.type, result: out.ok ? 'ok' : out.error.code });
    return out;
  }

  private ids(live: LiveEvent, seats: unknown): string[] {
    return (seats as number[]).map((s) => live.layout.seatIds[s]);
  }

  async hold(
    user: User,
    req: HoldRequest,
    opts: { key?: string; accessToken?: string } = {},
  ): Promise<Result> {
    const started = performance.now();
    const live = this.events.get(req.eventId);
    if (!live) return fail('EVENT_NOT_FOUND', `no event "${req.eventId.slice(0, 64)}"`);
    if (!(await this.mayHold(live.id, user, opts.accessToken))) {
      return fail('ACCESS_REQUIRED', 'the waiting room is on: wait for your turn and use your access token');
    }
    // nanoid draws from a pooled random buffer: one syscall per many ids, not one per hold.
    const holdId = holdIdFor(live.id, nanoid(12));
    let command: Command;
    if (req.seats) {
      const seats = seatNumbers(live, req.seats);
      if (!Array.isArray(seats)) return seats;
      command = { type: 'hold', holdId, fanId: user.id, seats };
    } else if (req.best) {
      command = { type: 'holdBest', holdId, fanId: user.id, count: req.best.count, filter: req.best.filter };
    } else {
      const ga = req.ga!;
      command = { type: 'holdGa', holdId, fanId: user.id, area: ga.area, count: ga.count };
    }
    const out = await this.run(live, command, user, opts.key);
    const ms = performance.now() - started;
    this.metrics.holdLatency.observe(ms / 1000);
    this.onHold(live.id, ms);
    if (!out.ok) return fail(out.error.code, out.error.message);
    const v = out.value;
    return {
      ok: true,
      value: {
        holdId: v.holdId,
        eventId: live.id,
        seats: v.seats ? this.ids(live, v.seats) : [],
        area: v.area,
        places: v.places,
        together: v.together,
        expiresAt: v.expiresAt,
      },
    };
  }

  private liveOfHold(holdId: string): LiveEvent | null {
    const eventId = eventOfHold(holdId);
    return eventId ? (this.events.get(eventId) ?? null) : null;
  }

  async release(user: User, holdId: string, key?: string): Promise<Result> {
    const live = this.liveOfHold(holdId);
    if (!live) return fail('HOLD_NOT_FOUND', 'no such hold');
    const out = await this.run(live, { type: 'release', holdId, fanId: user.id }, user, key);
    return out.ok
      ? { ok: true, value: { holdId, released: out.value.released } }
      : fail(out.error.code, out.error.message);
  }

  async extend(user: User, holdId: string, seconds: number, key?: string): Promise<Result> {
    const live = this.liveOfHold(holdId);
    if (!live) return fail('HOLD_NOT_FOUND', 'no such hold');
    const out = await this.run(
      live,
      { type: 'extendHold', holdId, fanId: user.id, byMs: seconds * 1000 },
      user,
      key,
    );
    return out.ok
      ? { ok: true, value: { holdId, expiresAt: out.value.expiresAt } }
      : fail(out.error.code, out.error.message);
  }

  /** Operator commands on an event's seats or sale, by public seat ids. */
  async operate(
    user: User,
    eventId: string,
    build: (live: LiveEvent) => Command | Result,
    key?: string,
  ): Promise<Result> {
    const live = this.events.get(eventId);
    if (!live) return fail('EVENT_NOT_FOUND', `no event "${eventId.slice(0, 64)}"`);
    const command = build(live);
    if ('ok' in command) return command;
    const out = await this.run(live, command, user, key);
    return out.ok ? { ok: true, value: out.value } : fail(out.error.code, out.error.message);
  }
}

/** Public seat ids to seat numbers, or the failure naming the first unknown one. */
export function seatNumbers(live: LiveEvent, ids: string[]): number[] | Result {
  const out: number[] = [];
  for (const id of ids) {
    const n = live.layout.seatIndex.get(id);
    if (n === undefined) return fail('UNKNOWN_SEAT', `unknown seat "${id.slice(0, 64)}"`);
    out.push(n);
  }
  return out;
}
