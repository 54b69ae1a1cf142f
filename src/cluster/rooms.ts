import type { JoinResult, QueueStatus, RoomInfo, RoomsPort, WaitingRooms } from '../waiting-room/rooms.ts';
import { RemoteError } from './bus.ts';
import type { ClusterNode } from './node.ts';

// The waiting rooms in cluster mode: an event's room lives with the event's owner (one deli
// counter per event, so one ticket sequence and one "now serving"), and every other member
// forwards its fans' joins, polls and access checks to it over the bus. The owner's room
// figures reach the other members' sockets through the fan-out (fanout.ts).

type Op = 'configure' | 'saleOpened' | 'join' | 'status' | 'verifyAccess';
const OPS: readonly Op[] = ['configure', 'saleOpened', 'join', 'status', 'verifyAccess'];

export class ClusterRooms implements RoomsPort {
  constructor(
    private readonly node: ClusterNode,
    private readonly local: WaitingRooms,
  ) {
    node.rooms = (op, eventId, args) => this.here(op as Op, eventId, args);
    // A room comes with its event: restored where the event is taken, dropped where it left.
    node.onOwn = (eventId) => void local.ensure(eventId).catch(() => {});
    node.onDisown = (eventId) => void local.drop(eventId);
  }

  private here(op: Op, eventId: string, args: unknown[]): Promise<unknown> {
    if (!OPS.includes(op)) throw new RemoteError('INVALID_COMMAND', `no room call ${op}`);
    const f = this.local[op] as (...a: unknown[]) => Promise<unknown>;
    return f.apply(this.local, [eventId, ...args]);
  }

  private call<T>(op: Op, eventId: string, ...args: unknown[]): Promise<T> {
    // The event placed if nobody runs it: its room is where it runs.
    return this.node.atOwner(
      eventId,
      { k: 'room', op, args },
      () => this.here(op, eventId, args) as Promise<T>,
    );
  }

  configure(eventId: string, cfg: { enabled: boolean; rate: number }): Promise<RoomInfo> {
    return this.call('configure', eventId, cfg);
  }

  saleOpened(eventId: string): Promise<RoomInfo> {
    return this.call('saleOpened', eventId);
  }

  join(eventId: string, accountId: string): Promise<JoinResult> {
    return this.call('join', eventId, accountId);
  }

  status(eventId: string, queueToken: string, accountId?: string): Promise<QueueStatus> {
    return this.call('status', eventId, queueToken, accountId);
  }

  verifyAccess(eventId: string, accountId: string, accessToken: string | undefined): Promise<boolean> {
    return this.call('verifyAccess', eventId, accountId, accessToken);
  }
}
