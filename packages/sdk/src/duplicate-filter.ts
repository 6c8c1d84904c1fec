import { ExpiringIds, type ExpiringIdsOptions } from './expiring-ids.ts';

/**
 * What {@link DuplicateFilter.claim} says about a message id:
 * - `first`: not seen (or its last handling failed): handle it, then `settle` the outcome;
 * - `handled`: handled successfully within the window: answer it as handled, do not handle it;
 * - `pending`: another copy is being handled: `outcome` resolves with that copy's outcome.
 */
export type Claim<Outcome> =
  | { kind: 'first'; settle(outcome: Outcome, handled: boolean): void }
  | { kind: 'handled' }
  | { kind: 'pending'; outcome: Promise<Outcome> };

/**
 * Remembers which message ids were handled (DESIGN.md, Wire protocol: the SDK answers a
 * duplicate by acking again without calling the handler). A copy that arrives while the first
 * is still being handled waits for that outcome; a failed handling is forgotten, so the
 * router's next attempt is handled again.
 */
export class DuplicateFilter<Outcome> {
  private readonly handled: ExpiringIds;
  private readonly inProgress = new Map<string, Array<(outcome: Outcome) => void>>();

  constructor(options: ExpiringIdsOptions) {
    this.handled = new ExpiringIds(options);
  }

  /** How many copies are being handled now. */
  get handling(): number {
    return this.inProgress.size;
  }

  /** Says whether the message `id` is new, handled, or being handled. */
  claim(id: string): Claim<Outcome> {
    if (this.handled.has(id)) return { kind: 'handled' };
    const waiters = this.inProgress.get(id);
    if (waiters !== undefined) {
      return { kind: 'pending', outcome: new Promise((resolve) => waiters.push(resolve)) };
    }
    const fresh: Array<(outcome: Outcome) => void> = [];
    this.inProgress.set(id, fresh);
    let settled = false;
    return {
      kind: 'first',
      settle: (outcome, handled) => {
        if (settled) return;
        settled = true;
        this.inProgress.delete(id);
        if (handled) this.handled.add(id);
        for (const resolve of fresh) resolve(outcome);
      },
    };
  }
}
