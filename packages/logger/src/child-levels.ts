import type { Logger } from 'pino';

/**
 * The children of one root logger that hold a level of their own, so that a level change can
 * reach them. A pino child made without a level reads its parent's level through the prototype
 * chain and follows changes by itself; one made with `{ level }`, or whose `level` was set later,
 * keeps a copy. pino reports each such level assignment as a 'level-change' event, which the
 * root feeds to {@link ChildLevels.track}. References are weak, and entries of collected
 * children are dropped by a FinalizationRegistry: a fastify route with its own `logLevel` makes
 * one such child per request.
 */
export class ChildLevels {
  readonly #children = new Set<WeakRef<Logger>>();
  readonly #tracked = new WeakSet<Logger>();
  readonly #finalizer = new FinalizationRegistry<WeakRef<Logger>>((ref) => {
    this.#children.delete(ref);
  });

  /** Remembers `child` (once) as holding its own level. */
  track(child: Logger): void {
    if (this.#tracked.has(child)) return;
    this.#tracked.add(child);
    const ref = new WeakRef(child);
    this.#children.add(ref);
    this.#finalizer.register(child, ref);
  }

  /** How many children are tracked: collected ones leave once their finalizer has run. */
  get size(): number {
    return this.#children.size;
  }

  /** Sets `level` on every live tracked child. */
  setLevel(level: string): void {
    for (const ref of this.#children) {
      const child = ref.deref();
      if (child === undefined) {
        this.#children.delete(ref);
      } else {
        child.level = level;
      }
    }
  }
}
