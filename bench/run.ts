// `npm run bench -- <name>`: runs one scenario from bench/scenarios. Each prints a table and,
// as its last line of stdout, one JSON object. A run whose workload did not happen throws
// (bench/lib/checks.ts): the reason goes to stderr and the exit code is 1.
import { readdirSync } from 'node:fs';
import { BenchFailure } from './lib/checks.ts';
import './lib/machine.ts'; // first: it takes the load average as the run starts

const dir = new URL('./scenarios/', import.meta.url);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}>`);
  process.exit(2);
}
try {
  const scenario = (await import(new URL(`${name}.ts`, dir).href)) as { run(args: string[]): Promise<void> };
  await scenario.run(process.argv.slice(3));
} catch (e) {
  // A failed check says all there is to say; anything else keeps its stack for whoever debugs it.
  const text =
    e instanceof BenchFailure ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  console.error(`bench ${name} FAILED: ${text}`);
  process.exit(1);
}
process.exit(0);
