import type { JetStreamClient } from '@nats-io/jetstream';
import { type KV, type KvEntry, Kvm, KvWatchInclude } from '@nats-io/kv';
import { SbError } from '@switchboard/protocol';
import type { BusSubscription, KvBucket, KvChange } from './bus.ts';
import type { BusLogger } from './logger.ts';

/** Revisions kept per key: a few, for inspection after a bad override. */
const historyPerKey = 5;
const bucketPattern = /^[-\w]+$/;
// NATS KV keys: tokens of [-/=\w] separated by dots; filters may also use * and >.
const keyPattern = /^[-/=\w]+(\.[-/=\w]+)*$/;
const filterPattern = /^([-/=\w]+|\*)(\.([-/=\w]+|\*))*(\.>)?$|^>$/;

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Refuses a key NATS KV would refuse, with a message that says what a key may hold. */
export function assertKey(key: string): void {
  if (!keyPattern.test(key)) {
    throw new SbError(
      'E_VALIDATION',
      `KV key '${key}' is invalid: use dot-separated tokens of letters, digits, -, /, _ and =`,
    );
  }
}

/** Refuses a malformed key filter. */
export function assertFilter(filter: string): void {
  if (!filterPattern.test(filter)) {
    throw new SbError(
      'E_VALIDATION',
      `KV filter '${filter}' is invalid: use dot-separated tokens of letters, digits, -, /, _, = or *, optionally ending in >`,
    );
  }
}

/** A JSON bucket over a NATS KV; see {@link KvBucket}. */
class NatsKvBucket implements KvBucket {
  constructor(
    private readonly kv: KV,
    private readonly bucket: string,
    private readonly log: BusLogger,
    private readonly track: (subscription: BusSubscription) => BusSubscription,
  ) {}

  /** Runs one operation on the bucket, turning a client failure into `E_UNAVAILABLE`. */
  private async call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SbError(
        'E_UNAVAILABLE',
        `could not ${what} in KV bucket ${this.bucket}: ${reason}`,
        {
          cause: error,
        },
      );
    }
  }

  /** The entry's JSON value; `undefined` when deleted, or when not JSON (logged). */
  private decode(entry: KvEntry): { value: unknown } | undefined {
    if (entry.operation !== 'PUT') return undefined;
    try {
      return { value: JSON.parse(decoder.decode(entry.value)) };
    } catch (err) {
      this.log.warn(
        { err, bucket: this.bucket, key: entry.key, revision: entry.revision },
        `skipped KV entry ${this.bucket}/${entry.key}: its value is not JSON`,
      );
      return undefined;
    }
  }

  async get(key: string): Promise<{ value: unknown; revision: number } | undefined> {
    assertKey(key);
    const entry = await this.call(`read ${key}`, () => this.kv.get(key));
    if (entry === null) return undefined;
    const decoded = this.decode(entry);
    return decoded === undefined ? undefined : { value: decoded.value, revision: entry.revision };
  }

  async put(key: string, value: unknown): Promise<number> {
    assertKey(key);
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) {
      throw new SbError('E_VALIDATION', `the value for KV key '${key}' cannot be written as JSON`);
    }
    return this.call(`write ${key}`, () => this.kv.put(key, encoder.encode(json)));
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    await this.call(`delete ${key}`, () => this.kv.delete(key));
  }

  async entries(filter: string): Promise<Map<string, unknown>> {
    assertFilter(filter);
    const keys: string[] = [];
    await this.call(`list ${filter}`, async () => {
      for await (const key of await this.kv.keys(filter)) keys.push(key);
    });
    const found = await Promise.all(keys.map(async (key) => [key, await this.get(key)] as const));
    const entries = new Map<string, unknown>();
    for (const [key, entry] of found) if (entry !== undefined) entries.set(key, entry.value);
    return entries;
  }

  async watch(filter: string, onChange: (change: KvChange) => void): Promise<BusSubscription> {
    assertFilter(filter);
    // Updates only: the caller reads the current values with entries() when it needs them.
    const updates = await this.call(`watch ${filter}`, () =>
      this.kv.watch({ key: filter, include: KvWatchInclude.UpdatesOnly }),
    );
    const loop = (async () => {
      for await (const entry of updates) {
        const decoded = this.decode(entry);
        if (decoded === undefined && entry.operation === 'PUT') continue;
        try {
          onChange({ key: entry.key, value: decoded?.value, revision: entry.revision });
        } catch (err) {
          this.log.error(
            { err, bucket: this.bucket, key: entry.key },
            `a watcher of KV bucket ${this.bucket} failed on ${entry.key}`,
          );
        }
      }
    })().catch((err: unknown) => {
      this.log.error({ err, bucket: this.bucket, filter }, `a watch of ${this.bucket} stopped`);
    });
    let stopped: Promise<void> | undefined;
    return this.track({
      stop() {
        stopped ??= (async () => {
          updates.stop();
          await loop;
        })();
        return stopped;
      },
    });
  }
}

/** Opens the bucket, creating it when missing (safe when several processes do it at once). */
export async function openKvBucket(
  js: JetStreamClient,
  bucket: string,
  log: BusLogger,
  track: (subscription: BusSubscription) => BusSubscription,
): Promise<KvBucket> {
  if (!bucketPattern.test(bucket)) {
    throw new SbError(
      'E_VALIDATION',
      `KV bucket name '${bucket}' is invalid: use letters, digits, - and _`,
    );
  }
  try {
    const kv = await new Kvm(js).create(bucket, { history: historyPerKey });
    return new NatsKvBucket(kv, bucket, log, track);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SbError('E_UNAVAILABLE', `could not open KV bucket ${bucket}: ${reason}`, {
      cause: error,
    });
  }
}
