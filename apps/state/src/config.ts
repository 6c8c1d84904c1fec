import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { listenSettings, sweepSettings } from '@switchboard/service';
import { z } from 'zod';

/** How a stale write to a scope is settled. */
export const ConflictPolicies = ['reject', 'last-writer-wins', 'merge'] as const;

/** One of {@link ConflictPolicies}. */
export type ConflictPolicy = (typeof ConflictPolicies)[number];

const ConflictPolicyRule = z.strictObject({
  scope: z.string().min(1).max(256).describe('Subject pattern over scopes (`team.*`, `>`)'),
  policy: z.enum(ConflictPolicies),
});

/** The state service's settings: the shared sections plus its own under `state` (`SB_STATE__*`). */
export const stateConfig = defineServiceConfig({
  service: 'state',
  section: z.strictObject({
    ...listenSettings('state'),
    maxDocumentBytes: z
      .int()
      .min(2)
      .max(900 * 1024)
      .default(256 * 1024)
      .describe('Largest state document, serialized as UTF-8 JSON, in bytes'),
    cacheTtlMs: z
      .int()
      .min(1000)
      .max(86_400_000)
      .default(300_000)
      .describe('How long a read-through cache entry lives in Redis, in ms'),
    conflictPolicies: z
      .array(ConflictPolicyRule)
      .default([])
      .describe(
        'Per-scope conflict policy (JSON list of {scope, policy}; first match wins; default reject)',
      ),
    history: z
      .strictObject({
        keepVersions: z
          .int()
          .min(1)
          .max(1_000_000)
          .default(100)
          .describe('Versions of each key history keeps (the current one always stays)'),
        keepDays: z
          .number()
          .positive()
          .max(36_500)
          .default(30)
          .describe('Days history keeps older versions'),
        ...sweepSettings({
          interval: 'How often one replica trims history, in ms',
          batch: 'History rows one sweep statement deletes at most',
        }),
      })
      .prefault({}),
  }),
  live: [],
});

/** The state service's validated configuration. */
export type StateConfig = ConfigOf<typeof stateConfig>;

/** The state section of the configuration. */
export type StateSettings = StateConfig['state'];
