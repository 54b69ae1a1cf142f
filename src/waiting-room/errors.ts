import { AppError } from '../errors.ts';

/** A waiting-room request refused. */
export class WaitingRoomError extends AppError {}

export const roomOff = (eventId: string): WaitingRoomError =>
  new WaitingRoomError(
    'WAITING_ROOM_OFF',
    `no waiting room is on for event "${eventId.slice(0, 64)}": go straight to the seats`,
  );

export const badQueueToken = (): WaitingRoomError =>
  new WaitingRoomError('INVALID_QUEUE_TOKEN', 'the queue token is missing, invalid, expired or not yours');

export const notInQueue = (): WaitingRoomError =>
  new WaitingRoomError('NOT_IN_QUEUE', 'this account has no place in this waiting room: join again');

export const unavailable = (): WaitingRoomError =>
  new WaitingRoomError('UNAVAILABLE', 'the waiting room could not store your place; try again', {
    retryAfterSeconds: 1,
  });

export const eventNotFound = (eventId: string): WaitingRoomError =>
  new WaitingRoomError('EVENT_NOT_FOUND', `no event "${eventId.slice(0, 64)}"`);

export const eventNotPublished = (eventId: string): WaitingRoomError =>
  new WaitingRoomError(
    'EVENT_NOT_PUBLISHED',
    `event "${eventId.slice(0, 64)}" is a draft: publish it before running its waiting room`,
  );

/** A write that no retry can fix (the server log has the database's reason). */
export const roomBroken = (eventId: string): WaitingRoomError =>
  new WaitingRoomError(
    'WAITING_ROOM_BROKEN',
    `the waiting room of event "${eventId.slice(0, 64)}" cannot be stored; the server log says why`,
  );
