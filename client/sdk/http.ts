// The HTTP half of the SDK: fetch-based, so the same code runs in browsers and Node 20.
import type { HoldRequest } from './protocol.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type { HoldRequest } from './protocol.ts';

export interface MyHold {
  holdId: string;
  eventId: string;
  seats: string[];
  area: string | null;
  places: number;
  createdAt: number;
  expiresAt: number;
}

export interface HoldResult {
  holdId: string;
  eventId: string;
  seats: string[];
  together?: boolean;
  expiresAt: number;
}

export class OnsaleHttp {
  token: string | null;

  constructor(
    readonly baseUrl: string,
    opts: { token?: string } = {},
  ) {
    this.token = opts.token ?? null;
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const h: Record<string, string> = { ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const err = json?.error ?? { code: 'HTTP_ERROR', message: res.statusText };
      throw new ApiError(res.status, err.code, err.message);
    }
    return json as T;
  }

  async register(email: string, password: string) {
    const r = await this.request<{ token: string; user: { id: string; email: string; role: string } }>(
      'POST',
      '/api/accounts/register',
      { email, password },
    );
    this.token = r.token;
    return r;
  }

  async login(email: string, password: string) {
    const r = await this.request<{ token: string; user: { id: string; email: string; role: string } }>(
      'POST',
      '/api/accounts/login',
      { email, password },
    );
    this.token = r.token;
    return r;
  }

  event(id: string) {
    return this.request<Record<string, unknown>>('GET', `/api/events/${encodeURIComponent(id)}`);
  }

  /** The event's seat chart (prices are in `event(id)`'s priceTiers). */
  chart(id: string) {
    return this.request<{ chart: unknown }>('GET', `/api/events/${encodeURIComponent(id)}/chart`);
  }

  /** My live holds, in every event. */
  holds() {
    return this.request<{ holds: MyHold[] }>('GET', '/api/holds');
  }

  hold(req: HoldRequest, opts: { key?: string; accessToken?: string } = {}) {
    const headers: Record<string, string> = {};
    if (opts.key) headers['idempotency-key'] = opts.key;
    if (opts.accessToken) headers['x-access-token'] = opts.accessToken;
    return this.request<HoldResult>('POST', '/api/holds', req, headers);
  }

  release(holdId: string) {
    return this.request<{ holdId: string; released: number }>(
      'DELETE',
      `/api/holds/${encodeURIComponent(holdId)}`,
    );
  }

  extend(holdId: string, seconds: number) {
    return this.request<{ holdId: string; expiresAt: number }>(
      'POST',
      `/api/holds/${encodeURIComponent(holdId)}/extend`,
      {
        seconds,
      },
    );
  }

  /** Moves an event's status, the one way its sale moves (operators). */
  setStatus(eventId: string, status: string) {
    return this.request('PUT', `/api/events/${encodeURIComponent(eventId)}/status`, { status });
  }

  block(eventId: string, seats: string[], blocked = true) {
    return this.request('POST', `/api/events/${encodeURIComponent(eventId)}/seats/block`, { seats, blocked });
  }
}
