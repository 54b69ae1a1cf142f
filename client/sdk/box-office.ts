// The box office: sell held seats at the window (cash, card on the spot, complimentary), find
// orders, refund, read a seat's history, show a ticket's QR code.
import type { BoxOfficeRequest } from '../../src/orders/box-office.ts';
import type { RefundView as Refund, RefundInput } from '../../src/orders/refunds.ts';
import type { OrderView as Order } from '../../src/orders/store.ts';
import { ApiError, type OnsaleHttp } from './http.ts';

const at = (id: string) => encodeURIComponent(id);

// The shapes are the server's own (type-only imports: nothing of the server reaches a bundle).
export type { RefundView as Refund } from '../../src/orders/refunds.ts';
export type { OrderView as Order, TicketRow as OrderTicket } from '../../src/orders/store.ts';
export type BoxOfficeMethod = BoxOfficeRequest['method'];

export interface OrderSearch {
  email?: string;
  order?: string;
  seat?: string;
  ticket?: string;
  eventId?: string;
  limit?: number;
  after?: string;
}

export interface HistoryItem {
  seq: number;
  at: string;
  type: string;
  by?: string;
  detail: Record<string, unknown>;
}

/** Sells the operator's live holds of the event (all of them, or `holdIds`). */
export async function sell(http: OnsaleHttp, sale: BoxOfficeRequest, key?: string): Promise<Order> {
  const headers: Record<string, string> = key ? { 'idempotency-key': key } : {};
  return (await http.request<{ order: Order }>('POST', '/api/box-office/orders', sale, headers)).order;
}

export function searchOrders(
  http: OnsaleHttp,
  q: OrderSearch,
): Promise<{ orders: Order[]; next: string | null }> {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  return http.request('GET', `/api/orders?${p}`);
}

export async function order(http: OnsaleHttp, id: string): Promise<Order> {
  return (await http.request<{ order: Order }>('GET', `/api/orders/${at(id)}`)).order;
}

export async function refunds(http: OnsaleHttp, orderId: string): Promise<Refund[]> {
  return (await http.request<{ refunds: Refund[] }>('GET', `/api/orders/${at(orderId)}/refunds`)).refunds;
}

/** Refunds the whole order, or some of its tickets; seats go back on sale or stay blocked. */
export async function refund(http: OnsaleHttp, orderId: string, body: Partial<RefundInput>): Promise<Refund> {
  return (await http.request<{ refund: Refund }>('POST', `/api/orders/${at(orderId)}/refunds`, body)).refund;
}

/** What happened to a seat (or a fan, or an order), from the event's journal. */
export function seatHistory(
  http: OnsaleHttp,
  eventId: string,
  q: { seat?: string; fan?: string; order?: string; after?: number; limit?: number },
): Promise<{ eventId: string; items: HistoryItem[]; next: number | null }> {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  return http.request('GET', `/api/events/${at(eventId)}/history?${p}`);
}

/** The ticket's QR code as SVG markup (its owner only: the box office for its own sales). */
export async function ticketQrSvg(http: OnsaleHttp, ticketId: string): Promise<string> {
  const h: Record<string, string> = {};
  if (http.token) h.authorization = `Bearer ${http.token}`;
  const res = await fetch(`${http.baseUrl}/api/tickets/${at(ticketId)}/qr?format=svg`, { headers: h });
  const text = await res.text();
  if (!res.ok) {
    let err = { code: 'HTTP_ERROR', message: res.statusText };
    try {
      err = JSON.parse(text).error ?? err;
    } catch {}
    throw new ApiError(res.status, err.code, err.message);
  }
  return text;
}
