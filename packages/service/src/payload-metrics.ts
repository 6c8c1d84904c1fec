import type { CompressionObserver } from '@switchboard/db';
import { Counter, type Registry } from 'prom-client';

const originalBytesName = 'sb_payload_compressed_original_bytes_total';
const storedBytesName = 'sb_payload_compressed_bytes_total';

/**
 * Counts, in `registry`, the bytes of the payloads a service's record codec compressed before it
 * stored them, before and after: `stored / original` is the compression ratio at rest (the bus
 * counts its own in `sb_bus_compressed_*`). Pass it to `loadRecordCodec`.
 */
export function payloadCompressionMetrics(registry: Registry): CompressionObserver {
  const counter = (name: string, help: string) =>
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, registers: [registry] });
  const original = counter(
    originalBytesName,
    'Bytes of the stored payloads that were compressed, before compression',
  );
  const stored = counter(
    storedBytesName,
    'Bytes of the stored payloads that were compressed, after compression',
  );
  return (originalBytes, compressedBytes) => {
    original.inc(originalBytes);
    stored.inc(compressedBytes);
  };
}
