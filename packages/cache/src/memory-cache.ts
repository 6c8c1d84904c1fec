import { SbError } from '@switchboard/protocol';
import type { Cache } from './redis-cache.ts';
import { type BucketState, takeFromBucket } from './token-bucket.ts';
import { parseVersioned, versionedWriteAllowed } from './versioned.ts';

// The cache in one process, for the embedded mode: the Cache contract without a Redis server.
// Values are kept as JSON text (copied in and out, as over the wire), keys expire on read, and
// the atomic operations (versioned writes, token buckets) run the same arithmetic as the Lua
// scripts Redis runs, in one synchronous step, which is what makes them atomic here.

interface Entry {
  raw: string;
  /** Epoch ms after which the key is gone; undefined: never. */
  expiresAt: number | undefined;
}

/** The in-process {@link Cache} of the embedded mode. */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  /** `now` is the clock expiries and token buckets follow (tests pass their own). */
  constructor(
    readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async getJson(key: string): Promise<unknown> {
    const raw = this.read(key);
    return raw === undefined ? undefined : JSON.parse(raw);
  }

  async getManyJson(keys: readonly string[]): Promise<unknown[]> {
    return Promise.all(keys.map((key) => this.getJson(key)));
  }

  async setJson(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.write(key, JSON.stringify(value), ttlMs);
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    this.entries.delete(key);
  }

  async deleteIfEquals(key: string, value: unknown): Promise<boolean> {
    if (this.read(key) !== JSON.stringify(value)) return false;
    this.entries.delete(key);
    return true;
  }

  async setVersioned(key: string, version: number, value: unknown, ttlMs: number) {
    return this.writeVersioned(
      key,
      version,
      JSON.stringify({ v: version, d: value }),
      ttlMs,
      false,
    );
  }

  async fenceVersion(key: string, version: number, ttlMs: number): Promise<void> {
    this.writeVersioned(key, version, JSON.stringify({ v: version, f: true }), ttlMs, true);
  }

  async getVersioned(key: string) {
    const raw = this.read(key);
    return raw === undefined ? undefined : parseVersioned(JSON.parse(raw));
  }

  async takeTokens(key: string, limit: { capacity: number; refillPerSecond: number }, cost = 1) {
    const raw = this.read(key);
    const taken = takeFromBucket(
      raw === undefined ? undefined : (JSON.parse(raw) as BucketState),
      limit,
      cost,
      this.now(),
    );
    this.write(key, JSON.stringify(taken.state), taken.ttlMs);
    return taken.result;
  }

  async addToSet(key: string, member: string, ttlMs: number): Promise<number> {
    const raw = this.read(key);
    if (raw === undefined) {
      this.write(key, JSON.stringify([member]), ttlMs);
      return 1;
    }
    const members = JSON.parse(raw) as string[];
    if (members.includes(member)) return members.length;
    members.push(member);
    // Keeps the expiry the set was created with.
    const entry = this.entries.get(key) as Entry;
    entry.raw = JSON.stringify(members);
    return members.length;
  }

  async deleteAll(): Promise<number> {
    this.assertOpen();
    let deleted = 0;
    for (const key of [...this.entries.keys()]) if (this.read(key) !== undefined) deleted++;
    this.entries.clear();
    return deleted;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private writeVersioned(key: string, version: number, raw: string, ttlMs: number, fence: boolean) {
    // Everything stored here was written as JSON, so it parses.
    const current = this.read(key);
    const parsed: unknown = current === undefined ? undefined : JSON.parse(current);
    if (!versionedWriteAllowed(parsed, version, fence)) return false;
    this.write(key, raw, ttlMs);
    return true;
  }

  /** The raw value of a live key; an expired one is removed on the way. */
  private read(key: string): string | undefined {
    this.assertOpen();
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.raw;
  }

  private write(key: string, raw: string, ttlMs: number | undefined): void {
    this.assertOpen();
    this.entries.set(key, {
      raw,
      expiresAt: ttlMs === undefined ? undefined : this.now() + ttlMs,
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new SbError('E_UNAVAILABLE', 'the cache is closed');
  }
}
