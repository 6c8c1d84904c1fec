/**
 * A cache of at most `maxEntries` entries (2 when smaller) that forgets the least recently used
 * ones first, approximately: two generations of half the bound each. Entries go into the young
 * one; when it is full it becomes the old one (the previous old one is dropped), and a hit in the
 * old one moves the entry back to the young one. A hit in the young one is a single map lookup
 * with no reordering, which keeps the message path cheap; a flood of distinct keys costs memory
 * up to the bound, never more.
 */
export class BoundedLru<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly #generationSize: number;

  constructor(readonly maxEntries: number) {
    this.#generationSize = Math.max(1, Math.floor(maxEntries / 2));
  }

  /** The value at `key`, now among the most recently used. */
  get(key: K): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.set(key, old);
    }
    return old;
  }

  /** Stores `value` at `key`, dropping the old generation when the young one is full. */
  set(key: K, value: V): void {
    if (!this.#young.has(key) && this.#young.size >= this.#generationSize) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#old.delete(key);
    this.#young.set(key, value);
  }

  /** How many entries it holds. */
  get size(): number {
    return this.#young.size + this.#old.size;
  }
}
