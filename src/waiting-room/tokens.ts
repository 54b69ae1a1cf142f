import { errors, jwtVerify, SignJWT } from 'jose';

// The waiting room's two signed tokens (JWT, HS256):
// - a queue token, given on joining: sub = account id, ev = event id, tk = the ticket it was
//   issued with, scope 'queue'. It proves the bearer joined; the room looks the account's
//   current ticket up (the lottery may have renumbered a pre-queued fan).
// - an access token, given on admission: sub = account id, ev = event id, scope 'access',
//   expiring a few minutes after admission. The hold path checks it without a lookup.

export type Scope = 'queue' | 'access';

export interface TokenClaims {
  sub: string;
  ev: string;
  scope: Scope;
  /** Ticket at issue (queue tokens). */
  tk?: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export class Tokens {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('the token secret must be at least 32 characters');
    this.key = new TextEncoder().encode(secret);
  }

  queueToken(
    eventId: string,
    accountId: string,
    ticket: number,
    now: number,
    ttlSeconds: number,
  ): Promise<string> {
    return this.sign(
      { ev: eventId, scope: 'queue', tk: ticket },
      accountId,
      now,
      Math.floor(now / 1000) + ttlSeconds,
    );
  }

  /** `exp` in seconds since the epoch: access lasts from admission, not from this call. */
  accessToken(eventId: string, accountId: string, now: number, exp: number): Promise<string> {
    return this.sign({ ev: eventId, scope: 'access' }, accountId, now, exp);
  }

  /** The claims of a valid, unexpired token of this scope for this event; null otherwise. */
  async verify(token: string, scope: Scope, eventId: string, now: number): Promise<TokenClaims | null> {
    if (token.length === 0 || token.length > 2048) return null;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(now),
        requiredClaims: ['sub', 'exp', 'ev', 'scope'],
      });
      if (payload.scope !== scope || payload.ev !== eventId || typeof payload.sub !== 'string') return null;
      const tk = payload.tk;
      return {
        sub: payload.sub,
        ev: eventId,
        scope,
        tk: typeof tk === 'number' ? tk : undefined,
        exp: payload.exp!,
      };
    } catch (e) {
      if (e instanceof errors.JOSEError) return null;
      throw e;
    }
  }

  private sign(claims: Record<string, unknown>, sub: string, now: number, exp: number): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(exp)
      .sign(this.key);
  }
}
