/**
 * A map of at most `maxEntries` entries that forgets the least recently used one first (a Map
 * iterates in insertion order, and a read re-inserts). Caches of the message path use it: a
 * flood of distinct keys costs memory up to the bound, never more.
 */
export class BoundedLru<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {}

  /** The value at `key`, now the most recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Stores `value` at `key`, forgetting the least recently used entry when full. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }

  /** How many entries it holds. */
  get size(): number {
    return this.#entries.size;
  }
}
