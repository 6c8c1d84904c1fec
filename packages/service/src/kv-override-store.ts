import type { KvBucket } from '@switchboard/bus';
import type { OverrideStore } from '@switchboard/config';

/**
 * Live overrides of one service in the namespace's config bucket, under keys
 * `<short>.<setting key>` (`router.log.level`, `router.router.retry.maxAttempts`): every
 * replica of the service watches the same keys, and no service sees another's.
 */
export function kvOverrideStore(bucket: KvBucket, service: string): OverrideStore {
  const prefix = `${service}.`;
  return {
    load: async () => {
      const entries = await bucket.entries(`${prefix}>`);
      return new Map([...entries].map(([key, value]) => [key.slice(prefix.length), value]));
    },
    put: async (key, value) => {
      await bucket.put(prefix + key, value);
    },
    delete: (key) => bucket.delete(prefix + key),
    watch: async (onChange) => {
      const subscription = await bucket.watch(`${prefix}>`, (change) =>
        onChange(change.key.slice(prefix.length), change.value),
      );
      return () => subscription.stop();
    },
  };
}
