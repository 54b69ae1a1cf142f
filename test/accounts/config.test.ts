import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

describe('accounts configuration', () => {
  it('takes no admin by default, and 30-day sessions', () => {
    const c = loadConfig({});
    expect(c.ONSALE_ADMIN_EMAIL).toBeUndefined();
    expect(c.ONSALE_ADMIN_PASSWORD).toBeUndefined();
    expect(c.ONSALE_SESSION_DAYS).toBe(30);
  });

  it('takes an admin email and password together', () => {
    const c = loadConfig({ ONSALE_ADMIN_EMAIL: 'a@example.com', ONSALE_ADMIN_PASSWORD: 'long-enough' });
    expect([c.ONSALE_ADMIN_EMAIL, c.ONSALE_ADMIN_PASSWORD]).toEqual(['a@example.com', 'long-enough']);
  });

  it('refuses one without the other, a bad email, or a short password', () => {
    expect(() => loadConfig({ ONSALE_ADMIN_EMAIL: 'a@example.com' })).toThrow(/ONSALE_ADMIN_PASSWORD/);
    expect(() => loadConfig({ ONSALE_ADMIN_PASSWORD: 'long-enough' })).toThrow(/together/);
    expect(() => loadConfig({ ONSALE_ADMIN_EMAIL: 'nope', ONSALE_ADMIN_PASSWORD: 'long-enough' })).toThrow(
      /ONSALE_ADMIN_EMAIL/,
    );
    expect(() => loadConfig({ ONSALE_ADMIN_EMAIL: 'a@example.com', ONSALE_ADMIN_PASSWORD: 'short' })).toThrow(
      /ONSALE_ADMIN_PASSWORD/,
    );
    expect(() => loadConfig({ ONSALE_SESSION_DAYS: '0' })).toThrow(/ONSALE_SESSION_DAYS/);
  });
});
