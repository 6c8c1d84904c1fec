import { z } from 'zod';
import { defineRpc } from './rpc.ts';

/** Where a setting's value comes from, lowest precedence first. */
export const ConfigSourceSchema = z.enum(['default', 'file', 'env', 'override']);
export type ConfigSource = z.infer<typeof ConfigSourceSchema>;

/** One setting as `config.get` reports it. Secrets arrive redacted. */
export const SettingReportSchema = z.object({
  key: z.string(),
  value: z.unknown(),
  source: ConfigSourceSchema,
  live: z.boolean(),
  /** Set when a restart-only setting changed: the value it takes after a restart. */
  pendingRestart: z.object({ value: z.unknown(), source: ConfigSourceSchema }).optional(),
});
export type SettingReport = z.infer<typeof SettingReportSchema>;

/** `<ns>.v1.<short>.ping`: liveness of one replica over the bus. */
export const PingRpc = defineRpc(
  'ping',
  z.object({}).strict(),
  z.object({
    service: z.string(),
    instanceId: z.string(),
    version: z.string(),
    uptimeMs: z.number(),
  }),
);

/** `<ns>.v1.<short>.config.get`: every setting (or those under `key`) with value and source. */
export const ConfigGetRpc = defineRpc(
  'config.get',
  z.object({ key: z.string().min(1).optional() }).strict(),
  z.object({ service: z.string(), settings: z.array(SettingReportSchema) }),
);

/** `<ns>.v1.<short>.config.set`: validate and store a live override. */
export const ConfigSetRpc = defineRpc(
  'config.set',
  z.object({ key: z.string().min(1), value: z.unknown() }).strict(),
  z.object({ setting: SettingReportSchema, restartRequired: z.boolean() }),
);

/** `<ns>.v1.<short>.config.unset`: remove a live override. */
export const ConfigUnsetRpc = defineRpc(
  'config.unset',
  z.object({ key: z.string().min(1) }).strict(),
  z.object({ setting: SettingReportSchema, removed: z.boolean(), restartRequired: z.boolean() }),
);

/** `<ns>.v1.<short>.stats`: a snapshot of a replica's key figures. */
export const StatsRpc = defineRpc(
  'stats',
  z.object({}).strict(),
  z.object({
    service: z.string(),
    instanceId: z.string(),
    uptimeMs: z.number(),
    figures: z.record(z.string(), z.number()),
  }),
);

/**
 * `<ns>.v1.<short>.payloads.reencrypt` (operator scope `payloads:write`): one step of the walk
 * that moves stored payloads not under the active key to it, for at most
 * `payloads.reencrypt.budgetMs`. Call again with the `cursor` it answers while it answers one;
 * the last step counts what `remaining` (rows being written while the walk passed) and says
 * `done`.
 */
export const PayloadsReencryptRpc = defineRpc(
  'payloads.reencrypt',
  z
    .object({
      /** Where the previous step stopped; absent: from the start. */
      cursor: z.string().min(1).max(4096).optional(),
    })
    .strict(),
  z.object({
    service: z.string(),
    /** The key records now move to; null turns them back to plaintext. */
    activeKeyId: z.string().nullable(),
    reencrypted: z.number().int().min(0),
    /** Where the next step goes on; absent once the walk is over. */
    cursor: z.string().optional(),
    /** At the end of the walk, what is still under another key; null before. */
    remaining: z.number().int().min(0).nullable(),
    done: z.boolean(),
  }),
);
