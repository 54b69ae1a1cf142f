import {
  type Envelope,
  type QueryArgs,
  type QueryName,
  type QueryResult,
  type SeatPort,
  UNAVAILABLE,
} from '../actors/event-port.ts';
import type { Command } from '../domain/commands.ts';
import type { Outcome } from '../domain/outcome.ts';
import { AppError } from '../errors.ts';

// An event's port when another member owns it: the same plain data as the local handle,
// sent over the bus. A command whose owner cannot be reached comes back UNAVAILABLE, which
// the caller may retry with the same idempotency key (the owner either applied it or not).

export interface OwnerCalls {
  /** Sends the request to the event's current owner (re-resolved once if it moved). */
  call(
    eventId: string,
    body: { k: 'submit'; envelopes: Envelope[] } | { k: 'query'; name: QueryName; args: unknown },
  ): Promise<unknown>;
}

export class RemoteEventPort implements SeatPort {
  constructor(
    readonly eventId: string,
    private readonly owner: OwnerCalls,
  ) {}

  async submit(envelopes: Envelope[]): Promise<Outcome[]> {
    try {
      return (await this.owner.call(this.eventId, { k: 'submit', envelopes })) as Outcome[];
    } catch {
      return envelopes.map(() => UNAVAILABLE);
    }
  }

  async submitOne(command: Command, opts: { key?: string; by?: string } = {}): Promise<Outcome> {
    return (await this.submit([{ command, ...opts }]))[0];
  }

  async query<N extends QueryName>(name: N, args: QueryArgs<N>): Promise<QueryResult<N>> {
    try {
      return (await this.owner.call(this.eventId, { k: 'query', name, args })) as QueryResult<N>;
    } catch (e) {
      throw new AppError('UNAVAILABLE', `the event's owner could not be reached: ${(e as Error).message}`);
    }
  }
}
