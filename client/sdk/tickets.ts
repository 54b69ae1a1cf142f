// A fan's tickets: the list, and sending one to another account. The rotating QR code is
// ticketQrSvg in box-office.ts (the same call for the fan and the box office).
import type { TicketView } from '../../src/tickets/tickets.ts';
import type { OnsaleHttp } from './http.ts';

export type { TicketView as FanTicket } from '../../src/tickets/tickets.ts';

/** The signed-in fan's valid tickets, bought or transferred to them. */
export async function myTickets(http: OnsaleHttp): Promise<TicketView[]> {
  return (await http.request<{ tickets: TicketView[] }>('GET', '/api/tickets')).tickets;
}

export interface Transfer {
  ticketId: string;
  eventId: string;
  to: string;
  credentialVersion: number;
}

/** Sends the ticket to the account with this email; the old QR code stops working at once. */
export async function transferTicket(http: OnsaleHttp, ticketId: string, email: string): Promise<Transfer> {
  const r = await http.request<{ transfer: Transfer }>(
    'POST',
    `/api/tickets/${encodeURIComponent(ticketId)}/transfer`,
    { email },
  );
  return r.transfer;
}
