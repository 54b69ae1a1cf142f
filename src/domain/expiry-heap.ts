// Indexed binary min-heap of holds by deadline. Each hold remembers its slot, so a release,
// booking or extension moves or removes exactly its own entry: the heap only ever holds
// live holds, however many come and go.

export interface Expiring {
  expiresAt: number;
  heapSlot: number;
}

export class ExpiryHeap<T extends Expiring> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.heapSlot = this.items.length;
    this.items.push(item);
    this.up(item.heapSlot);
  }

  remove(item: T): void {
    const i = item.heapSlot;
    const last = this.items.pop()!;
    item.heapSlot = -1;
    if (i === this.items.length) return;
    this.items[i] = last;
    last.heapSlot = i;
    this.up(i);
    this.down(last.heapSlot);
  }

  /**
   * Every item due at `now`, without removing any: a walk of the heap that stops below any
   * entry not yet due, so it costs the due items, not the heap.
   */
  due(now: number): T[] {
    const out: T[] = [];
    const items = this.items;
    const stack = items.length > 0 ? [0] : [];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (items[i].expiresAt > now) continue;
      out.push(items[i]);
      const l = 2 * i + 1;
      if (l < items.length) stack.push(l);
      if (l + 1 < items.length) stack.push(l + 1);
    }
    return out;
  }

  /** Restores order after the item's deadline changed. */
  update(item: T): void {
    this.up(item.heapSlot);
    this.down(item.heapSlot);
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p];
      if (parent.expiresAt <= item.expiresAt) break;
      items[i] = parent;
      parent.heapSlot = i;
      i = p;
    }
    items[i] = item;
    item.heapSlot = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && items[r].expiresAt < items[l].expiresAt ? r : l;
      if (items[c].expiresAt >= item.expiresAt) break;
      items[i] = items[c];
      items[i].heapSlot = i;
      i = c;
    }
    items[i] = item;
    item.heapSlot = i;
  }
}
