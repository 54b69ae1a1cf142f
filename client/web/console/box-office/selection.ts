// The box office's seat selection: seat ids picked on the map or typed, toggled and parsed.
// Pure.

/** "S1-A-1, S1-A-2 S1-A-3" → the ids, each once, in order. */
export function parseSeatIds(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
}

export function toggle(ids: readonly string[], id: string): string[] {
  return ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id];
}
