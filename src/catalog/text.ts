// Text the catalog stores and searches: cleaning of what operators and fans send, and the
// one folding both sides of a search go through (accents off, lower case, letters and digits
// only), so "Beyoncé", "BEYONCE" and "beyonce" are the same word.

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;
const LETTERS = new Map<string, string>([
  ['ß', 'ss'],
  ['æ', 'ae'],
  ['œ', 'oe'],
  ['ø', 'o'],
  ['đ', 'd'],
  ['ð', 'd'],
  ['ł', 'l'],
  ['þ', 'th'],
  ['ı', 'i'],
]);
const SPECIAL = /[ßæœøđðłþı]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Lone surrogates (which UTF-8 cannot carry) become U+FFFD. */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/** Well-formed UTF-16 with no control characters, spaces collapsed, trimmed. */
export function clean(s: string): string {
  return wellFormed(s).replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/** Lower case, accents removed, everything but letters and digits turned into single spaces. */
export function fold(s: string): string {
  return wellFormed(s)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(SPECIAL, (c) => LETTERS.get(c) ?? c)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of `s` after folding. */
export function words(s: string): string[] {
  const f = fold(s);
  return f === '' ? [] : f.split(' ');
}

/** A URL-safe id made from a name: "The Grand Hall" -> "the-grand-hall". */
export function slug(s: string, max = 40): string {
  return words(s)
    .join('-')
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}
