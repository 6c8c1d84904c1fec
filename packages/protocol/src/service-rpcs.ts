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
 * `<ns>.v1.<short>.payloads.reencrypt` (operator scope `payloads:write`): moves stored payloads
 * that are not under the active key to it, for at most `payloads.reencrypt.budgetMs`, and reports
 * what is left; call again until `done`.
 */
export const PayloadsReencryptRpc = defineRpc(
  'payloads.reencrypt',
  z.object({}).strict(),
  z.object({
    service: z.string(),
    /** The key records now move to; null turns them back to plaintext. */
    activeKeyId: z.string().nullable(),
    reencrypted: z.number().int().min(0),
    remaining: z.number().int().min(0),
    done: z.boolean(),
  }),
);
