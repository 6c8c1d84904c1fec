import {
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Subjects } from '@switchboard/protocol';

// "stream name already in use with a different configuration": another process created the
// stream first, or an older one with other limits exists.
const streamNameInUse = 10058;

/**
 * Creates the namespace's event stream, or brings an existing one to the wanted retention.
 * Safe when several processes connect at once: creating an identical stream is a no-op on the
 * server, and a differing one is updated in place. Only age limits the stream (nats-server 2.9
 * knows no per-message TTL, metadata or compression).
 */
export async function ensureEventStream(
  jsm: JetStreamManager,
  names: Subjects,
  retentionMs: number,
): Promise<void> {
  const config: Partial<StreamConfig> & { name: string } = {
    name: names.eventStream,
    subjects: [names.allEvents],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(retentionMs),
  };
  try {
    await jsm.streams.add(config);
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== streamNameInUse) throw error;
    const { name, ...update } = config;
    await jsm.streams.update(name, update);
  }
}
