import { randomUUID } from 'node:crypto';
import { advance, configure, createQueue, join, openSale, typedBytes } from '../../src/waiting-room/queue.ts';

// Run by memory.test.ts as `node --expose-gc --import tsx memory-probe.ts <fans>`: builds one
// waiting room of that many fans (each a fresh 36-character UUID account id, held only by
// the room) and prints what it costs, measured as the growth of V8 heap + external memory
// (typed arrays live outside the heap) between two full garbage collections.

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const fans = Number(process.argv[2] ?? 1_000_000);
const T0 = 1_900_000_000_000;

function used(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const before = used();
const q = createQueue({ graceSeconds: 60, accessSeconds: 600 }, T0);
configure(q, { enabled: true, rate: 1000 }, T0);
let started = performance.now();
for (let i = 0; i < fans; i++) join(q, randomUUID(), T0);
const joinMs = performance.now() - started;
started = performance.now();
openSale(q, 'memory', T0);
const lotteryMs = performance.now() - started;
advance(q, T0 + 1000);
const after = used();

console.log(
  JSON.stringify({
    fans: q.last,
    mapSize: q.byAccount.size,
    bytes: after - before,
    bytesPerFan: (after - before) / fans,
    typedBytesPerFan: typedBytes(q) / fans,
    joinMs: Math.round(joinMs),
    lotteryMs: Math.round(lotteryMs),
    serving: q.serving,
  }),
);
