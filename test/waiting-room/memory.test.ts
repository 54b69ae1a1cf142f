import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// One waiting room must hold a million fans at no more than 200 bytes each. Measured in a
// child process started with --expose-gc (memory-probe.ts): full GCs before and after
// building the room, and the growth of heapUsed + external (external holds the typed
// arrays) divided by the fans. Everything the room retains is counted: the typed arrays
// (with their doubling slack), the ticket → account array, the Map from account id to
// ticket, and the account-id strings themselves (fresh 36-character UUIDs held only by the
// room). Measured here: about 101 bytes a fan.

const root = fileURLToPath(new URL('../../', import.meta.url));
const FANS = 1_000_000;

describe('waiting-room memory', () => {
  it(`holds ${FANS.toLocaleString('en')} fans in one room at <= 200 bytes each`, () => {
    const r = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'test/waiting-room/memory-probe.ts', String(FANS)],
      { cwd: root, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    console.log(
      `[waiting-room] ${m.fans} fans: ${m.bytesPerFan.toFixed(1)} bytes/fan ` +
        `(typed arrays ${m.typedBytesPerFan.toFixed(1)}), joins ${m.joinMs} ms, lottery ${m.lotteryMs} ms`,
    );
    expect(m.fans).toBe(FANS);
    expect(m.mapSize).toBe(FANS);
    expect(m.serving).toBe(1000); // the room works at that size: 1 s at 1,000 fans/s
    expect(m.bytesPerFan).toBeLessThanOrEqual(200);
    // The measurement saw the room: every fan's id alone is 36 bytes.
    expect(m.bytesPerFan).toBeGreaterThan(36);
  }, 120_000);
});
