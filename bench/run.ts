// `npm run bench -- <name>`: runs one scenario from bench/scenarios. Each prints a table and,
// as its last line of stdout, one JSON object.
import { readdirSync } from 'node:fs';

const dir = new URL('./scenarios/', import.meta.url);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}>`);
  process.exit(2);
}
const scenario = (await import(new URL(`${name}.ts`, dir).href)) as { run(args: string[]): Promise<void> };
await scenario.run(process.argv.slice(3));
process.exit(0);
