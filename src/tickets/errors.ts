import { AppError, quoted } from '../errors.ts';

// The tickets' refusals. Codes, not HTTP: the gateway's table gives each its status.

export class TicketError extends AppError {}

/** Also what a fan gets for another fan's ticket: whether it exists is not theirs to learn. */
export const ticketNotFound = (id: string): TicketError =>
  new TicketError('TICKET_NOT_FOUND', `no ticket ${quoted(id)}`);

export const ticketNotValid = (id: string, status: string): TicketError =>
  new TicketError('TICKET_NOT_VALID', `ticket ${quoted(id)} is ${status}: it has no credential to issue`);

export const recipientNotFound = (): TicketError =>
  new TicketError(
    'RECIPIENT_NOT_FOUND',
    'no account has this email address: the recipient must sign up before a ticket can be sent to them',
  );

export const transferToSelf = (): TicketError =>
  new TicketError('TRANSFER_TO_SELF', 'the ticket is already yours');

export const placesNotTransferable = (): TicketError =>
  new TicketError(
    'PLACES_NOT_TRANSFERABLE',
    'standing places cannot be transferred: the seat map moves seats between fans, not places',
  );

/** The actor refused the transfer by the recipient's per-fan limit (its message says the numbers). */
export const recipientAtLimit = (why: string): TicketError => new TicketError('RECIPIENT_AT_LIMIT', why);
