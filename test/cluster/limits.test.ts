import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, redisAvailable } from '../support/services.ts';
import { Members } from './members.ts';

// The write limits hold across the cluster: an account spreading its writes over two members
// gets about what one member allows (burst 4 at 2/s here), not twice that.

const up = (await postgresAvailable()) && (await redisAvailable());

describe.skipIf(!up)('cluster mode: write limits shared by the members', () => {
  const cluster = new Members('limits', { ONSALE_RATE_IP_PER_SEC: '1000', ONSALE_RATE_ACCOUNT_PER_SEC: '2' });
  const shops = cluster.shops;

  beforeAll(async () => {
    for (const id of ['r0', 'r1']) await cluster.start(id);
  }, 120_000);

  afterAll(() => cluster.stop());

  it('given one account writing through both members in turn, then the account’s limit is the cluster’s: refused with 429 past one burst', async () => {
    const [fan] = await shops[0].registerFans('limited', 1);
    const statuses: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) {
      // An empty hold request: refused 400 when let through, 429 when limited.
      const r = await shops[i % 2].call('POST', '/api/holds', { token: fan.token, json: {} });
      statuses.push(r.status);
    }
    const secs = (Date.now() - t0) / 1000;
    const passed = statuses.filter((s) => s !== 429).length;
    expect(statuses.filter((s) => s !== 429 && s !== 400)).toEqual([]);
    // One member alone lets 4 through at once (and 2 a second after): both together, no more.
    const allowed = 4 + Math.ceil(secs * 2);
    console.log(
      `shared limits: ${passed} of 20 writes let through in ${secs.toFixed(2)} s (cluster allows ${allowed})`,
    );
    expect(passed).toBeGreaterThanOrEqual(4);
    expect(passed).toBeLessThanOrEqual(allowed + 1);
    expect(passed).toBeLessThan(8);
  });
});
