// A seeded pseudo-random generator for the pre-queue lottery: xoshiro128** (128 bits of
// state), seeded from a string, so an opening can be replayed from its stored seed and
// audited. Not for secrets: the seed itself is what must be unpredictable (it is drawn from
// the operating system's generator at opening).

export interface Prng {
  /** The next 32-bit unsigned integer. */
  next(): number;
  /** A uniform integer in [0, n), without modulo bias; n in 1..2^32. */
  below(n: number): number;
}

/** Four 32-bit words from any string (cyrb128 mixing); never all zero. */
export function seedWords(seed: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  const words: [number, number, number, number] = [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
  if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
  return words;
}

export function createPrng(seed: string): Prng {
  let [a, b, c, d] = seedWords(seed);
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  return {
    next,
    below(n: number): number {
      if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`below(${n})`);
      // Reject the top sliver of the 32-bit range that does not divide evenly by n.
      const limit = 2 ** 32 - (2 ** 32 % n);
      for (;;) {
        const r = next();
        if (r < limit) return r % n;
      }
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
