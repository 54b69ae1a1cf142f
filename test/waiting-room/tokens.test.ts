import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { Tokens } from '../../src/waiting-room/tokens.ts';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const SECRET = 'a-test-secret-of-at-least-32-characters!';

describe('waiting-room tokens', () => {
  const tokens = new Tokens(SECRET);

  it('signs an access token with sub, ev, scope and the given expiry (HS256)', async () => {
    const exp = NOW / 1000 + 600;
    const t = await tokens.accessToken('ev1', 'acct1', NOW, exp);
    expect(decodeJwt(t)).toMatchObject({ sub: 'acct1', ev: 'ev1', scope: 'access', exp });
    expect(JSON.parse(Buffer.from(t.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    expect(await tokens.verify(t, 'access', 'ev1', NOW)).toMatchObject({ sub: 'acct1', exp });
  });

  it('refuses another event, another scope, an expired token, a forged one and garbage', async () => {
    const access = await tokens.accessToken('ev1', 'acct1', NOW, NOW / 1000 + 600);
    const queue = await tokens.queueToken('ev1', 'acct1', 7, NOW, 3600);
    expect(await tokens.verify(access, 'access', 'ev2', NOW)).toBeNull();
    expect(await tokens.verify(queue, 'access', 'ev1', NOW)).toBeNull();
    expect(await tokens.verify(queue, 'queue', 'ev1', NOW)).toMatchObject({ sub: 'acct1', tk: 7 });
    expect(await tokens.verify(access, 'access', 'ev1', NOW + 601_000)).toBeNull();
    const other = new Tokens('another-secret-of-at-least-32-characters');
    expect(await other.verify(access, 'access', 'ev1', NOW)).toBeNull();
    expect(await tokens.verify('not.a.jwt', 'access', 'ev1', NOW)).toBeNull();
    expect(await tokens.verify('', 'access', 'ev1', NOW)).toBeNull();
  });

  it('refuses a short secret', () => {
    expect(() => new Tokens('short')).toThrow(/32 characters/);
  });
});
