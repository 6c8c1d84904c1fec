import { z } from 'zod';

/** A payload key id: stored with every record it encrypts, so short and plain. */
export const PayloadKeyIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'must be 1-64 of A-Z a-z 0-9 . _ - (letter or digit first)',
  );

/** The bytes of an AES-256 key. */
export const PAYLOAD_KEY_BYTES = 32;

/** A 256-bit key as base64 text (what `switchboard keys payload-key` prints). */
export const PayloadKeySchema = z
  .string()
  .refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value), 'must be base64')
  .refine(
    (value) => Buffer.from(value, 'base64').length === PAYLOAD_KEY_BYTES,
    `must be ${PAYLOAD_KEY_BYTES} bytes (256 bits) as base64`,
  );

/** Key id → base64 key: the `keys` setting and the content of a key file. */
export const PayloadKeysSchema = z.record(z.string(), PayloadKeySchema).superRefine((keys, ctx) => {
  // Checked here rather than as the record's key schema, whose issue names no rule.
  for (const keyId of Object.keys(keys)) {
    const issue = PayloadKeyIdSchema.safeParse(keyId).error?.issues[0];
    if (issue !== undefined)
      ctx.addIssue({ code: 'custom', path: [keyId], message: issue.message });
  }
});

const EncryptionSchema = z.strictObject({
  activeKeyId: PayloadKeyIdSchema.optional().describe(
    'Key that encrypts new payloads (AES-256-GCM); unset stores plaintext. Must be in `keys` or `keyFile`',
  ),
  keys: PayloadKeysSchema.default({}).describe(
    'Payload keys as JSON {keyId: base64 256-bit key}; old ids stay to read older records; never shown',
  ),
  keyFile: z
    .string()
    .min(1)
    .optional()
    .describe('JSON file of more keys {keyId: base64 key} (a mounted secret), read at start'),
});

/** Compression levels each algorithm takes (zlib's gzip levels, brotli qualities). */
export const COMPRESSION_LEVELS = { gzip: { min: 1, max: 9 }, br: { min: 0, max: 11 } } as const;

const CompressionSchema = z
  .strictObject({
    algorithm: z
      .enum(['none', 'gzip', 'br'])
      .default('none')
      .describe(
        'Compress payloads over `thresholdBytes` at rest and on NATS: `none`, `gzip`, `br`',
      ),
    level: z
      .int()
      .min(0)
      .max(11)
      .optional()
      .describe('Compression level: gzip 1-9 (default 6), br 0-11 (default 4)'),
    thresholdBytes: z
      .int()
      .min(0)
      .max(64 * 1024 * 1024)
      .default(1024)
      .describe('Payloads of at least this many bytes (UTF-8 JSON) are compressed'),
  })
  .superRefine((compression, ctx) => {
    if (compression.level === undefined || compression.algorithm === 'none') return;
    const { min, max } = COMPRESSION_LEVELS[compression.algorithm];
    if (compression.level < min || compression.level > max) {
      const message = `must be ${min}-${max} for ${compression.algorithm}`;
      ctx.addIssue({ code: 'custom', path: ['level'], message });
    }
  });

const ReencryptSchema = z.strictObject({
  batchSize: z
    .int()
    .min(1)
    .max(10_000)
    .default(200)
    .describe('Records one re-encryption transaction moves to the active key'),
  budgetMs: z
    .int()
    .min(10)
    .max(600_000)
    .default(2000)
    .describe(
      'How long one `payloads.reencrypt` call works before it answers with its progress, in ms (keep under nats.requestTimeoutMs)',
    ),
});

/**
 * How services store user payloads (DESIGN.md, Payloads): encryption at rest, compression at
 * rest and on the NATS hop, and the re-encryption job that moves old records to the active key.
 */
export const PayloadsSchema = z.strictObject({
  encryption: EncryptionSchema.prefault({}),
  compression: CompressionSchema.prefault({}),
  reencrypt: ReencryptSchema.prefault({}),
});

/** The `payloads` settings, parsed. */
export type PayloadSettings = z.infer<typeof PayloadsSchema>;
