import { SbError } from '@switchboard/protocol';

/**
 * The state scopes each connection of this instance watches, and the reverse index an event is
 * fanned out through. In memory only: a watch lives and ends with its connection.
 */
export class WatchRegistry<C extends object> {
  private readonly byConnection = new Map<C, Set<string>>();
  private readonly byScope = new Map<string, Set<C>>();
  // A watch request may still be in flight with the owning service when its connection ends.
  private readonly dropped = new WeakSet<C>();

  /**
   * Throws `E_RATE_LIMITED` when `connection` cannot take one more watch on `scope` (it watches
   * `maxWatches` other scopes already); watching a scope again costs nothing.
   */
  assertRoom(connection: C, scope: string, maxWatches: number): void {
    const scopes = this.byConnection.get(connection);
    if (scopes === undefined || scopes.has(scope) || scopes.size < maxWatches) return;
    throw new SbError(
      'E_RATE_LIMITED',
      `this connection already watches ${scopes.size} state scopes (the limit is ${maxWatches}); unwatch one first`,
      { details: { limit: maxWatches } },
    );
  }

  /**
   * Records that `connection` watches `scope` (idempotent) under the same limit as
   * {@link assertRoom}; a connection already dropped is ignored.
   */
  add(connection: C, scope: string, maxWatches: number): void {
    this.assertRoom(connection, scope, maxWatches);
    if (this.dropped.has(connection)) return;
    let scopes = this.byConnection.get(connection);
    if (scopes === undefined) {
      scopes = new Set();
      this.byConnection.set(connection, scopes);
    }
    scopes.add(scope);
    let watchers = this.byScope.get(scope);
    if (watchers === undefined) {
      watchers = new Set();
      this.byScope.set(scope, watchers);
    }
    watchers.add(connection);
  }

  /** Stops `connection` watching `scope`; says whether it was. */
  remove(connection: C, scope: string): boolean {
    const scopes = this.byConnection.get(connection);
    if (scopes?.delete(scope) !== true) return false;
    if (scopes.size === 0) this.byConnection.delete(connection);
    this.forgetWatcher(scope, connection);
    return true;
  }

  /** Ends every watch of a connection that closed; later {@link add}s for it are ignored. */
  drop(connection: C): void {
    this.dropped.add(connection);
    for (const scope of this.byConnection.get(connection) ?? []) {
      this.forgetWatcher(scope, connection);
    }
    this.byConnection.delete(connection);
  }

  /** The connections watching `scope`. */
  watchers(scope: string): C[] {
    return [...(this.byScope.get(scope) ?? [])];
  }

  /** The scopes `connection` watches. */
  scopesOf(connection: C): string[] {
    return [...(this.byConnection.get(connection) ?? [])];
  }

  /** Watches held by all connections. */
  get size(): number {
    let count = 0;
    for (const scopes of this.byConnection.values()) count += scopes.size;
    return count;
  }

  private forgetWatcher(scope: string, connection: C): void {
    // Both maps change together: a scope a connection watches always has its watcher set.
    const watchers = this.byScope.get(scope) as Set<C>;
    watchers.delete(connection);
    if (watchers.size === 0) this.byScope.delete(scope);
  }
}
