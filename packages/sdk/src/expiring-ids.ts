/** How long ids are remembered and how many at most. */
export interface ExpiringIdsOptions {
  /** An id is forgotten this long after it was (last) added, in ms. */
  windowMs: number;
  /** Past this many ids, the oldest are forgotten first. */
  maxEntries: number;
  /** The clock, in ms (tests pass their own). */
  now?: () => number;
}

/**
 * A set of ids that forgets each one `windowMs` after it was added, and the oldest ones once it
 * holds more than `maxEntries`. No timers: it prunes as it is used, so it needs no stopping.
 */
export class ExpiringIds {
  // A Map iterates in insertion order, and re-adding an id moves it to the end: the first
  // entries are always the oldest.
  private readonly addedAt = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: ExpiringIdsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** How many ids it remembers (after pruning). */
  get size(): number {
    this.prune();
    return this.addedAt.size;
  }

  /** Remembers `id` from now on (again, if it was already there). */
  add(id: string): void {
    this.addedAt.delete(id);
    this.addedAt.set(id, this.now());
    this.prune();
  }

  /** True when `id` was added less than `windowMs` ago and not evicted since. */
  has(id: string): boolean {
    this.prune();
    return this.addedAt.has(id);
  }

  private prune(): void {
    const oldestKept = this.now() - this.options.windowMs;
    for (const [id, at] of this.addedAt) {
      if (at > oldestKept && this.addedAt.size <= this.options.maxEntries) return;
      this.addedAt.delete(id);
    }
  }
}
