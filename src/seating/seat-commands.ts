import { nanoid } from 'nanoid';
import type { HoldRequest } from '../../client/sdk/protocol.ts';
import type { Command } from '../domain/commands.ts';
import type { HoldView } from '../domain/queries.ts';
import { AppError, quoted } from '../errors.ts';
import type { Metrics } from '../gateway/metrics.ts';
import type { User } from '../user.ts';
import { eventOfHold, holdIdFor, type LiveEvent, type LiveEvents } from './live-events.ts';

// Fans' and operators' seat commands, for the HTTP API and the socket protocol alike:
// public seat ids in, seat numbers to the actor, public ids back out; a refusal is an
// AppError with the domain's code. Idempotency keys are scoped to the account, so fans
// cannot collide.

/** May this fan hold seats of this event now? (The waiting room's access token.) */
export type AccessCheck = (eventId: string, user: User, accessToken: string | undefined) => Promise<boolean>;
/** May this fan hold during the event's presale (invited, or with a valid presale code)? */
export type PresaleCheck = (eventId: string, user: User, code: string | undefined) => Promise<boolean>;

export interface HoldResult {
  holdId: string;
  eventId: string;
  seats: string[];
  area?: string;
  places?: number;
  together?: boolean;
  expiresAt: number;
}

/** A live hold as its fan sees it. */
export interface MyHold {
  holdId: string;
  eventId: string;
  seats: string[];
  area: string | null;
  places: number;
  createdAt: number;
  expiresAt: number;
}

export class SeatCommands {
  constructor(
    private readonly events: LiveEvents,
    private readonly metrics: Metrics,
    private readonly checks: {
      mayHold: AccessCheck;
      presale: PresaleCheck;
      /** Hears how long each hold of an event took to answer (the waiting room's capacity signal). */
      onHold?: (eventId: string, ms: number) => void;
    },
  ) {}

  /** Submits one command; the outcome's value, or the refusal as an AppError. */
  private async run(
    live: LiveEvent,
    command: Command,
    user: User,
    key: string | undefined,
    by?: string,
  ): Promise<Record<string, unknown>> {
    const out = await live.handle.submitOne(command, {
      key: key === undefined ? undefined : `${user.id}:${key}`,
      by,
    });
    this.metrics.commands.inc({ event: live.id, type: command.type, result: out.ok ? 'ok' : out.error.code });
    if (!out.ok) throw new AppError(out.error.code, out.error.message);
    return out.value;
  }

  async hold(
    user: User,
    req: HoldRequest,
    opts: { key?: string; accessToken?: string } = {},
  ): Promise<HoldResult> {
    const started = performance.now();
    const live = await this.events.need(req.eventId);
    const [allowed, presale] = await Promise.all([
      this.checks.mayHold(live.id, user, opts.accessToken),
      this.checks.presale(live.id, user, req.presaleCode),
    ]);
    if (!allowed) {
      throw new AppError(
        'ACCESS_REQUIRED',
        'the waiting room is on: wait for your turn and use your access token',
      );
    }
    // nanoid draws from a pooled random buffer: one syscall per many ids, not one per hold.
    const holdId = holdIdFor(live.id, nanoid(12));
    const fanId = user.id;
    const extra = presale ? { presale: true } : {};
    let command: Command;
    if (req.seats) {
      command = { type: 'hold', holdId, fanId, seats: seatNumbers(live, req.seats), ...extra };
    } else if (req.best) {
      command = { type: 'holdBest', holdId, fanId, count: req.best.count, filter: req.best.filter, ...extra };
    } else {
      const ga = req.ga!;
      command = { type: 'holdGa', holdId, fanId, area: ga.area, count: ga.count, ...extra };
    }
    try {
      const v = await this.run(live, command, user, opts.key);
      return {
        holdId: v.holdId as string,
        eventId: live.id,
        seats: v.seats ? seatIds(live, v.seats as number[]) : [],
        area: v.area as string | undefined,
        places: v.places as number | undefined,
        together: v.together as boolean | undefined,
        expiresAt: v.expiresAt as number,
      };
    } finally {
      const ms = performance.now() - started;
      this.metrics.holdLatency.observe(ms / 1000);
      this.checks.onHold?.(live.id, ms);
    }
  }

  private async liveOfHold(holdId: string): Promise<LiveEvent> {
    const eventId = eventOfHold(holdId);
    const live = eventId ? await this.events.get(eventId) : null;
    if (!live) throw new AppError('HOLD_NOT_FOUND', 'no such hold');
    return live;
  }

  async release(user: User, holdId: string, key?: string): Promise<{ holdId: string; released: number }> {
    const live = await this.liveOfHold(holdId);
    const v = await this.run(live, { type: 'release', holdId, fanId: user.id }, user, key);
    return { holdId, released: v.released as number };
  }

  async extend(
    user: User,
    holdId: string,
    seconds: number,
    key?: string,
  ): Promise<{ holdId: string; expiresAt: number }> {
    const live = await this.liveOfHold(holdId);
    const v = await this.run(
      live,
      { type: 'extendHold', holdId, fanId: user.id, byMs: seconds * 1000 },
      user,
      key,
    );
    return { holdId, expiresAt: v.expiresAt as number };
  }

  /** The fan's live holds in every running event (an event with live holds always runs). */
  async holdsOf(user: User): Promise<MyHold[]> {
    const all: MyHold[] = [];
    await Promise.all(
      (await this.events.runningIds()).map(async (id) => {
        let holds: HoldView[];
        let live: LiveEvent | null;
        try {
          live = await this.events.runningAnywhere(id);
          if (!live) return;
          holds = await live.handle.query('holdsOf', { fanId: user.id });
        } catch {
          return; // stopped meanwhile: it had no live hold
        }
        for (const h of holds) {
          all.push({
            holdId: h.holdId,
            eventId: id,
            seats: seatIds(live, h.seats),
            area: h.area,
            places: h.places,
            createdAt: h.createdAt,
            expiresAt: h.expiresAt,
          });
        }
      }),
    );
    return all.sort((a, b) => a.expiresAt - b.expiresAt || (a.holdId < b.holdId ? -1 : 1));
  }

  /** An operator's command on an event's seats, journaled as theirs. */
  async operate(
    user: User,
    eventId: string,
    build: (live: LiveEvent) => Command,
  ): Promise<Record<string, unknown>> {
    const live = await this.events.need(eventId);
    return this.run(live, build(live), user, undefined, user.id);
  }
}

/** Public seat ids to seat numbers; UNKNOWN_SEAT names the first unknown one. */
export function seatNumbers(live: LiveEvent, ids: string[]): number[] {
  const out: number[] = [];
  for (const id of ids) {
    const n = live.layout.seatIndex.get(id);
    if (n === undefined) throw new AppError('UNKNOWN_SEAT', `unknown seat ${quoted(id)}`);
    out.push(n);
  }
  return out;
}

export function seatIds(live: LiveEvent, seats: number[]): string[] {
  return seats.map((s) => live.layout.seatIds[s]);
}
