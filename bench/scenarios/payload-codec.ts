import { randomBytes } from 'node:crypto';
import { createRecordCodec, encodePayload, payloadRecord, type RecordCodec } from '@switchboard/db';
import { build } from 'hdr-histogram-js';
import type { BenchContext, BenchRow, Scenario } from '../lib/scenario.ts';

// The record codec alone, in this process: encode (compress, encrypt) and decode (decrypt,
// decompress, parse) of one stored payload, for each codec setting. No I/O: what it costs a
// service per record, as MB/s of payload.

const keys = new Map([['bench', randomBytes(32)]]);

const variants: Array<{ name: string; codec: RecordCodec }> = [
  { name: 'plaintext', codec: createRecordCodec() },
  { name: 'aes-256-gcm', codec: createRecordCodec({ keys, activeKeyId: 'bench' }) },
  {
    name: 'gzip+aes-256-gcm',
    codec: createRecordCodec(
      { keys, activeKeyId: 'bench' },
      { algorithm: 'gzip', thresholdBytes: 1024 },
    ),
  },
  {
    name: 'br+aes-256-gcm',
    codec: createRecordCodec(
      { keys, activeKeyId: 'bench' },
      { algorithm: 'br', thresholdBytes: 1024 },
    ),
  },
];

/** A JSON document of about `bytes` bytes that compresses like real text (repeated fields). */
function documentOf(bytes: number) {
  const items: Array<{ id: number; text: string }> = [];
  for (let id = 0; JSON.stringify(items).length < bytes; id += 1) {
    items.push({ id, text: `item ${id} of a payload: ${randomBytes(6).toString('hex')}` });
  }
  return { items };
}

function measure(context: BenchContext, codec: RecordCodec, plain: Buffer, durationMs: number) {
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
  let ops = 0;
  let storedBytes = 0;
  const startedAt = performance.now();
  const until = startedAt + durationMs;
  while (performance.now() < until) {
    const record = payloadRecord('bench.records', String(ops));
    const before = performance.now();
    const stored = codec.encode(plain, record);
    codec.decode(stored, record);
    histogram.recordValue(Math.max(1, Math.round((performance.now() - before) * 1000)));
    storedBytes += stored.bytes.length;
    ops += 1;
  }
  const elapsedMs = performance.now() - startedAt;
  context.note(`  ${ops} records in ${Math.round(elapsedMs)} ms`);
  return { ops, elapsedMs, histogram, storedBytes };
}

/** `pnpm bench payload-codec`. */
export const payloadCodec: Scenario = {
  name: 'payload-codec',
  description:
    'The record codec in process: encode + decode of one payload (1 KiB, 64 KiB) per setting, plaintext vs AES-256-GCM vs compressed and encrypted; MB/s of payload',
  async run(context) {
    const rows: BenchRow[] = [];
    for (const size of [1024, 64 * 1024]) {
      const plain = encodePayload(documentOf(size));
      for (const variant of variants) {
        context.note(`${variant.name}, ${plain.length} B: ${context.params.durationMs} ms`);
        measure(context, variant.codec, plain, context.params.warmupMs);
        const result = measure(context, variant.codec, plain, context.params.durationMs);
        const mbPerSecond = (result.ops * plain.length) / 1e6 / (result.elapsedMs / 1000);
        rows.push({
          variant: `${variant.name} ${plain.length} B`,
          ops: result.ops,
          elapsedMs: Math.round(result.elapsedMs),
          p50Ms: result.histogram.getValueAtPercentile(50) / 1000,
          p99Ms: result.histogram.getValueAtPercentile(99) / 1000,
          extra: {
            'MB/s': Math.round(mbPerSecond * 10) / 10,
            'stored/plain':
              Math.round((result.storedBytes / result.ops / plain.length) * 1000) / 1000,
          },
        });
      }
    }
    return rows;
  },
};
