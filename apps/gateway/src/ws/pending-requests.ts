/**
 * The unanswered pipelined requests of one connection, oldest first. Each tracked piece of
 * work handles its own errors (it answers the agent with `result` or `error`); this only
 * bounds how many run at once.
 */
export class PendingRequests {
  // A Set keeps insertion order: its first entry is the oldest request still unanswered.
  private readonly pending = new Set<Promise<void>>();

  /** Resolves once fewer than `max` are unanswered, waiting for the oldest each time. */
  async makeRoom(max: number): Promise<void> {
    for (const oldest of this.pending) {
      if (this.pending.size < max) return;
      await oldest;
    }
  }

  /** Resolves once every request tracked so far is answered. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Counts `work` as unanswered until it settles; it must not reject. */
  track(work: Promise<void>): void {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}
