import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { SbError } from '@switchboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KvBucket, KvChange } from './bus.ts';
import { connectNatsBus } from './connect.ts';
import type { NatsBus } from './nats-bus.ts';
import {
  capturingLogger,
  deleteStreams,
  natsUrl,
  rawConnection,
  testNamespace,
  waitFor,
} from './test-support.ts';

const namespace = testNamespace();
const log = capturingLogger();
const bucketName = `${namespace}_config`;
let bus: NatsBus;
let bucket: KvBucket;
let raw: NatsConnection;

async function rejectionOf(promise: Promise<unknown>): Promise<SbError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (error instanceof SbError) return error;
  throw new Error(`expected an SbError, got ${String(error)}`);
}

beforeAll(async () => {
  bus = await connectNatsBus({ namespace, servers: [natsUrl], requestTimeoutMs: () => 5000, log });
  bucket = await bus.kv(bucketName);
  raw = await rawConnection();
});

afterAll(async () => {
  await raw.close();
  await bus.close();
  await deleteStreams([
    bus.subjects.eventStream,
    `KV_${bucketName}`,
    `KV_${namespace}_other`,
    `${namespace}_blocker`,
  ]);
});

describe('kv', () => {
  it('opens one bucket once per name', async () => {
    expect(await bus.kv(bucketName)).toBe(bucket);
  });

  it('puts, gets and deletes JSON values with revisions', async () => {
    const first = await bucket.put('router.retry.baseMs', 250);
    const second = await bucket.put('router.retry.baseMs', { nested: [1, 'two'] });
    expect(second).toBeGreaterThan(first);
    expect(await bucket.get('router.retry.baseMs')).toEqual({
      value: { nested: [1, 'two'] },
      revision: second,
    });
    await bucket.delete('router.retry.baseMs');
    expect(await bucket.get('router.retry.baseMs')).toBeUndefined();
    expect(await bucket.get('never.written')).toBeUndefined();
  });

  it('lists the current entries under a filter, skipping deleted keys', async () => {
    await bucket.put('gateway.a', 1);
    await bucket.put('gateway.b', 'two');
    await bucket.put('gateway.gone', true);
    await bucket.delete('gateway.gone');
    await bucket.put('tasks.a', 3);
    expect(await bucket.entries('gateway.>')).toEqual(
      new Map<string, unknown>([
        ['gateway.a', 1],
        ['gateway.b', 'two'],
      ]),
    );
    expect(await bucket.entries('nothing.>')).toEqual(new Map());
  });

  it('watches changes made after the watch starts, deletes included', async () => {
    await bucket.put('state.before', 'old');
    const changes: KvChange[] = [];
    const watch = await bucket.watch('state.>', (change) => {
      changes.push(change);
    });
    const revision = await bucket.put('state.after', { on: true });
    await bucket.delete('state.before');
    await bucket.put('elsewhere.key', 1);
    await waitFor(() => changes.length === 2);
    expect(changes).toEqual([
      { key: 'state.after', value: { on: true }, revision },
      { key: 'state.before', value: undefined, revision: expect.any(Number) },
    ]);
    const stopping = watch.stop();
    expect(watch.stop()).toBe(stopping);
    await stopping;
    await bucket.put('state.after', 'unseen');
    expect(changes).toHaveLength(2);
  });

  it('logs and skips values that are not JSON, and survives a failing watcher', async () => {
    const kv = await new Kvm(raw).open(bucketName);
    const seen: KvChange[] = [];
    const watch = await bucket.watch('raw.>', (change) => {
      if (change.key === 'raw.throws') throw new Error('watcher bug');
      seen.push(change);
    });
    await kv.put('raw.garbage', 'not json');
    await kv.put('raw.throws', '1');
    await bucket.put('raw.fine', 2);
    await waitFor(() => seen.length === 1);
    await watch.stop();
    expect(seen.map((change) => change.key)).toEqual(['raw.fine']);
    expect(await bucket.get('raw.garbage')).toBeUndefined();
    expect(await bucket.entries('raw.>')).toEqual(
      new Map<string, unknown>([
        ['raw.throws', 1],
        ['raw.fine', 2],
      ]),
    );
    expect(
      log.lines.filter(
        (line) => line.msg === `skipped KV entry ${bucketName}/raw.garbage: its value is not JSON`,
      ).length,
    ).toBeGreaterThan(0);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: `a watcher of KV bucket ${bucketName} failed on raw.throws`,
      }),
    );
  });

  it('refuses invalid keys, filters, bucket names and values', async () => {
    for (const attempt of [
      bucket.get('has space'),
      bucket.put('.leading', 1),
      bucket.put('ok', undefined),
      bucket.delete('a..b'),
      bucket.entries('a.>.b'),
      bucket.watch('', () => {}),
      bus.kv('bad.name'),
    ]) {
      expect((await rejectionOf(attempt)).code).toBe('E_VALIDATION');
    }
  });

  it('reports E_UNAVAILABLE when the connection is gone', async () => {
    const closing = await connectNatsBus({
      namespace,
      servers: [natsUrl],
      requestTimeoutMs: () => 5000,
    });
    const closed = await closing.kv(bucketName);
    await closing.close();
    for (const attempt of [
      closed.get('a'),
      closed.put('a', 1),
      closed.delete('a'),
      closed.entries('>'),
      closed.watch('>', () => {}),
    ]) {
      const error = await rejectionOf(attempt);
      expect(error.code).toBe('E_UNAVAILABLE');
      expect(error.message).toMatch(new RegExp(`^could not \\w+ .+ in KV bucket ${bucketName}: `));
    }
  });

  it('reports E_UNAVAILABLE when a bucket cannot be opened, and retries on the next call', async () => {
    const name = `${namespace}_other`;
    // Another stream already holds the bucket's subjects, so the bucket's stream cannot be made.
    const blocker = `${namespace}_blocker`;
    const jsm = await jetstreamManager(raw);
    await jsm.streams.add({ name: blocker, subjects: [`$KV.${name}.>`] });
    const error = await rejectionOf(bus.kv(name));
    expect(error.code).toBe('E_UNAVAILABLE');
    expect(error.message).toContain(`could not open KV bucket ${name}: `);
    await deleteStreams([blocker]);
    const opened = await bus.kv(name);
    expect(await opened.put('k', 1)).toBeGreaterThan(0);
  });
});
