import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { MAX_TOOL_TIMEOUT_MS } from '@switchboard/protocol';
import {
  bucketLimitSetting,
  listenSettings,
  roleLimitsSetting,
  sweepSettings,
} from '@switchboard/service';
import { z } from 'zod';

const ms = (min: number, max: number, fallback: number, description: string) =>
  z.int().min(min).max(max).default(fallback).describe(description);

/** The tool registry's settings: the shared sections plus its own under `tools` (`SB_TOOLS__*`). */
export const toolsConfig = defineServiceConfig({
  service: 'tools',
  section: z
    .strictObject({
      ...listenSettings('tools'),
      calls: z
        .strictObject({
          defaultTimeoutMs: ms(
            10,
            MAX_TOOL_TIMEOUT_MS,
            30_000,
            'How long a tool call waits for its provider when the caller names no timeout, in ms',
          ),
          maxTimeoutMs: ms(
            10,
            MAX_TOOL_TIMEOUT_MS,
            300_000,
            'Longest timeout a caller may ask for (longer requests are cut to it), in ms',
          ),
          maxArgumentsBytes: z
            .int()
            .min(2)
            .max(900 * 1024)
            .default(512 * 1024)
            .describe('Largest tool call arguments, serialized as UTF-8 JSON, in bytes'),
        })
        .prefault({}),
      publicUrl: z
        .url()
        .optional()
        .describe(
          'The public base URL of this service (MCP clients reach `<publicUrl>/mcp`); named in the WWW-Authenticate challenge',
        ),
      mcp: z
        .strictObject({
          pageSize: z
            .int()
            .min(1)
            .max(500)
            .default(100)
            .describe('Tools one MCP tools/list page holds'),
          listCacheTtlMs: ms(
            0,
            86_400_000,
            0,
            'How long an MCP client may cache a tools/list result (2026-07-28 ttlMs, private scope), in ms',
          ),
          tokenCacheTtlMs: ms(
            0,
            3_600_000,
            30_000,
            'How long a resolved bearer token is remembered (a revocation drops it at once), in ms',
          ),
          rateLimit: bucketLimitSetting('MCP requests one credential', {
            capacity: 600,
            refillPerSecond: 10,
          }),
          rateLimitPerIp: bucketLimitSetting('MCP requests one client address', {
            capacity: 1200,
            refillPerSecond: 50,
          }),
          rateLimitByRole: roleLimitsSetting(),
        })
        .prefault({}),
      upstream: z
        .strictObject({
          pollIntervalMs: ms(
            10,
            86_400_000,
            60_000,
            'How often a replica re-reads the tools of upstream MCP servers that announce no changes, in ms',
          ),
          connectTimeoutMs: ms(
            10,
            600_000,
            10_000,
            'How long connecting to (or listing) an upstream MCP server may take, in ms',
          ),
          allowLoopback: z
            .boolean()
            .default(false)
            .describe(
              'Let upstream MCP URLs reach this host (loopback); for tests only: private networks stay refused',
            ),
        })
        .prefault({}),
      audit: z
        .strictObject({
          retentionMs: ms(
            1000,
            3650 * 86_400_000,
            30 * 86_400_000,
            'How long audited tool calls are kept, in ms',
          ),
          ...sweepSettings({
            interval: 'How often a replica deletes audit rows past retention, in ms',
            batch: 'Audit rows one retention statement deletes at most',
          }),
          flushIntervalMs: ms(
            1,
            60_000,
            200,
            'How long audit rows wait in memory before they are written in one batch, in ms',
          ),
          maxBatch: z
            .int()
            .min(1)
            .max(10_000)
            .default(500)
            .describe('Audit rows that make a batch go at once'),
          redaction: z
            .strictObject({
              mode: z
                .enum(['keys', 'all', 'none'])
                .default('keys')
                .describe(
                  'What the audit keeps of call arguments: keys (mask the named keys), all (keep none), none (keep all)',
                ),
              keys: z
                .array(z.string().min(1).max(128))
                .max(256)
                .default(['password', 'secret', 'token', 'apiKey', 'authorization', 'cookie'])
                .describe('Argument keys masked at any depth (case-insensitive) in keys mode'),
            })
            .prefault({}),
          health: z
            .strictObject({
              windowMs: ms(
                1000,
                86_400_000,
                300_000,
                'The recent calls that decide health and latency percentiles, in ms',
              ),
              degradedRatio: z
                .number()
                .min(0)
                .max(1)
                .default(0.1)
                .describe('Share of failed recent calls from which a tool is degraded'),
              failingRatio: z
                .number()
                .min(0)
                .max(1)
                .default(0.5)
                .describe('Share of failed recent calls from which a tool is failing'),
            })
            .prefault({}),
          figuresCacheTtlMs: ms(
            0,
            3_600_000,
            5000,
            'How long computed tool figures are cached in Redis (0: not cached), in ms',
          ),
        })
        .prefault({}),
      access: z
        .strictObject({
          maxCachedDecisions: z
            .int()
            .min(0)
            .max(10_000_000)
            .default(100_000)
            .describe('Access decisions a replica remembers (0: decide every time)'),
        })
        .prefault({}),
    })
    .refine((tools) => tools.calls.defaultTimeoutMs <= tools.calls.maxTimeoutMs, {
      message: 'calls.defaultTimeoutMs must not be longer than calls.maxTimeoutMs',
      path: ['calls', 'defaultTimeoutMs'],
    }),
  live: [
    'tools.calls.defaultTimeoutMs',
    'tools.calls.maxTimeoutMs',
    'tools.mcp.pageSize',
    'tools.mcp.rateLimit.capacity',
    'tools.mcp.rateLimit.refillPerSecond',
    'tools.mcp.rateLimitByRole',
    'tools.mcp.rateLimitPerIp',
    'tools.upstream.pollIntervalMs',
    'tools.audit.retentionMs',
    'tools.audit.redaction.mode',
    'tools.audit.redaction.keys',
    'tools.audit.health.windowMs',
  ],
});

/** The tool registry's validated configuration. */
export type ToolsConfig = ConfigOf<typeof toolsConfig>;

/** The tools section of the configuration. */
export type ToolsSettings = ToolsConfig['tools'];
