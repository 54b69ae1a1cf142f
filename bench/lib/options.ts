// `key=value` words after a bench's name, read against its defaults: the default's type says
// how to read a value (a number, a comma-separated list of numbers or of words, a word).
// A key the bench does not have, or a number that is not one, stops the run.

type Value = number | string | number[] | string[];

export function parseOptions<T extends Record<string, Value>>(args: string[], defaults: T): T {
  const out: Record<string, Value> = { ...defaults };
  for (const a of args) {
    const at = a.indexOf('=');
    const key = at > 0 ? a.slice(0, at) : a;
    const text = at > 0 ? a.slice(at + 1) : '';
    if (!(key in defaults))
      throw new Error(`unknown option ${a} (known: ${Object.keys(defaults).join(', ')})`);
    const d = defaults[key];
    const num = (s: string) => {
      const n = Number(s);
      if (s === '' || !Number.isFinite(n)) throw new Error(`option ${key}: "${s}" is not a number`);
      return n;
    };
    if (typeof d === 'number') out[key] = num(text);
    else if (Array.isArray(d))
      out[key] = typeof d[0] === 'number' ? text.split(',').map(num) : text.split(',');
    else out[key] = text;
  }
  return out as T;
}
