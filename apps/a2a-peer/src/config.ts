import {
  type ConfigOf,
  defineServiceConfig,
  PayloadKeyIdSchema,
  PayloadKeysSchema,
} from '@switchboard/config';
import {
  bucketLimitSetting,
  listenSettings,
  roleLimitsSetting,
  sweepSettings,
} from '@switchboard/service';
import { z } from 'zod';

const DAY_MS = 86_400_000;

const ms = (min: number, max: number, fallback: number, description: string) =>
  z.int().min(min).max(max).default(fallback).describe(description);

/** A private signing key for Agent Cards and push notifications, as a JWK with its key id. */
const SigningKeySchema = z.strictObject({
  kid: z.string().min(1).max(128).describe('Key id, published in the JWKS and the signatures'),
  privateJwk: z
    .record(z.string(), z.unknown())
    .describe(
      'The private key as a JWK (EC P-256 or Ed25519); `switchboard keys card-key` makes one',
    ),
});
export type SigningKey = z.infer<typeof SigningKeySchema>;

/** The A2A peer's settings: the shared sections plus its own under `a2a` (`SB_A2A__*`). */
export const a2aConfig = defineServiceConfig({
  service: 'a2a',
  section: z.strictObject({
    ...listenSettings('a2a'),
    publicUrl: z
      .url()
      .default('http://127.0.0.1:7703')
      .describe('The public base URL of this service: the URLs the Agent Cards advertise'),
    orchestrator: z
      .strictObject({
        name: z
          .string()
          .min(1)
          .max(128)
          .default('Switchboard')
          .describe('The orchestrator card name'),
        description: z
          .string()
          .max(2048)
          .default('Routes each message to the local agent that has the skill asked for.')
          .describe('The orchestrator card description'),
        organization: z
          .string()
          .max(256)
          .default('Switchboard')
          .describe('The provider organization the cards name'),
        organizationUrl: z
          .url()
          .optional()
          .describe('The provider URL the cards name (the public URL when unset)'),
      })
      .prefault({}),
    signing: z
      .strictObject({
        keys: z
          .array(SigningKeySchema)
          .max(16)
          .default([])
          .describe(
            'Card signing keys; the first signs, all are published at /.well-known/jwks.json (cards are unsigned when empty)',
          ),
      })
      .prefault({}),
    tokenCacheTtlMs: ms(
      0,
      3_600_000,
      30_000,
      'How long a resolved bearer token is remembered (a revocation drops it at once), in ms',
    ),
    rateLimit: bucketLimitSetting('A2A requests one credential', {
      capacity: 600,
      refillPerSecond: 10,
    }),
    rateLimitPerIp: bucketLimitSetting('A2A requests one client address', {
      capacity: 1200,
      refillPerSecond: 50,
    }),
    rateLimitByRole: roleLimitsSetting(),
    blockingTimeoutMs: ms(
      10,
      3_600_000,
      60_000,
      'How long a blocking SendMessage waits for the task to end or need input before answering with the task as it is, in ms',
    ),
    streamMaxMs: ms(
      100,
      86_400_000,
      3_600_000,
      'Longest a SendStreamingMessage or SubscribeToTask stream stays open, in ms',
    ),
    messageTtlMs: ms(
      1000,
      7 * 86_400_000,
      86_400_000,
      'How long an inbound A2A message waits for an offline agent before it is dropped, in ms',
    ),
    agentCacheTtlMs: ms(
      0,
      3_600_000,
      5_000,
      'How long an agent record (card, opt-in) is remembered between catalog reads, in ms',
    ),
    feedPollMs: ms(
      10,
      600_000,
      2_000,
      'How often a waiting SendMessage or an open stream reads its task from Postgres when no change event woke it (bounds a lost event), in ms',
    ),
    pageSize: z
      .int()
      .min(1)
      .max(100)
      .default(50)
      .describe('Tasks or push configs one list page holds when the caller names no size'),
    push: z
      .strictObject({
        allowPrivate: z
          .boolean()
          .default(false)
          .describe(
            'Let push notification URLs reach loopback and private addresses (tests, closed networks)',
          ),
        timeoutMs: ms(100, 120_000, 10_000, 'How long one push notification POST may take, in ms'),
        maxAttempts: z
          .int()
          .min(1)
          .max(100)
          .default(10)
          .describe('Attempts per push notification before it is given up (and logged)'),
        backoffBaseMs: ms(
          1,
          3_600_000,
          1000,
          'First retry delay of a failed push, doubled each attempt, in ms',
        ),
        backoffMaxMs: ms(1, 86_400_000, 300_000, 'Longest retry delay of a failed push, in ms'),
        pollMs: ms(
          10,
          60_000,
          1000,
          'How often each replica looks for due push notifications, in ms',
        ),
        batchSize: z
          .int()
          .min(1)
          .max(1000)
          .default(50)
          .describe('Push notifications one replica claims at a time'),
      })
      .prefault({}),
    peers: z
      .strictObject({
        allowPrivate: z
          .boolean()
          .default(false)
          .describe(
            'Let peer card, JWKS and endpoint URLs reach loopback and private addresses (tests, closed networks)',
          ),
        fetchTimeoutMs: ms(
          100,
          120_000,
          10_000,
          'How long fetching a peer card or JWKS may take, in ms',
        ),
        healthIntervalMs: ms(
          50,
          86_400_000,
          30_000,
          'How often each peer is checked (its card fetched again), in ms',
        ),
        degradedLatencyMs: ms(
          1,
          120_000,
          2_000,
          'A check slower than this marks the peer degraded, in ms',
        ),
        downAfterFailures: z
          .int()
          .min(1)
          .max(100)
          .default(3)
          .describe('Failed checks in a row after which a peer is down (before: degraded)'),
      })
      .prefault({}),
    peerEncryption: z
      .strictObject({
        mode: z
          .enum(['off', 'prefer', 'require'])
          .default('prefer')
          .describe(
            'Encrypted A2A traffic with Switchboard peers that share a key: `prefer` encrypts when the other side can and accepts plaintext otherwise, `require` refuses plaintext both ways, `off` never encrypts',
          ),
        activeKeyId: PayloadKeyIdSchema.optional().describe(
          'Key this peer encrypts its calls with when the remote peer accepts it (else the first shared key); must be in `keys` or `keyFile`',
        ),
        keys: PayloadKeysSchema.default({}).describe(
          'Keys shared with peers as JSON {keyId: base64 256-bit key} (`switchboard keys payload-key` makes one); cards list the ids, never the keys',
        ),
        keyFile: z
          .string()
          .min(1)
          .optional()
          .describe(
            'JSON file of more peer keys {keyId: base64 key} (a mounted secret), read at start',
          ),
      })
      .prefault({}),
    remote: z
      .strictObject({
        pollMs: ms(
          10,
          600_000,
          1_000,
          'How often each replica looks for remote tasks to send or follow, and polls a peer without streaming, in ms',
        ),
        leaseMs: ms(
          100,
          3_600_000,
          30_000,
          'How long a replica holds a remote task it drives before another may take it (renewed while it works), in ms',
        ),
        batchSize: z
          .int()
          .min(1)
          .max(1000)
          .default(20)
          .describe('Remote tasks one replica claims at a time'),
        maxAttempts: z
          .int()
          .min(1)
          .max(100)
          .default(8)
          .describe('Failed calls of a remote task before it is given up (the agent is told)'),
        backoffBaseMs: ms(
          1,
          3_600_000,
          1_000,
          'First retry delay of a failed remote call, doubled each attempt, in ms',
        ),
        backoffMaxMs: ms(
          1,
          86_400_000,
          60_000,
          'Longest retry delay of a failed remote call, in ms',
        ),
        rateLimit: bucketLimitSetting('Calls to one peer', { capacity: 100, refillPerSecond: 20 }),
      })
      .prefault({}),
    retention: z
      .strictObject({
        finishedMs: ms(
          1,
          3650 * DAY_MS,
          7 * DAY_MS,
          'How long a task that ended (completed, failed, canceled, rejected) is kept with its events, received message ids and push configs, in ms (a message re-sent after that starts a new task)',
        ),
        remoteFinishedMs: ms(
          1,
          3650 * DAY_MS,
          7 * DAY_MS,
          'How long a remote task (one a local agent sent to a peer) is kept once it ended, in ms (a send re-sent after that is sent again)',
        ),
        ...sweepSettings({
          interval:
            'How often a replica deletes what retention lets go and fails the tasks no agent took within their message TTL, in ms',
          batch: 'Rows one retention statement deletes at most',
        }),
      })
      .prefault({}),
  }),
  live: [
    'a2a.peers.healthIntervalMs',
    'a2a.peers.degradedLatencyMs',
    'a2a.peers.downAfterFailures',
    'a2a.remote',
    'a2a.rateLimit',
    'a2a.rateLimitByRole',
    'a2a.rateLimitPerIp',
    'a2a.blockingTimeoutMs',
    'a2a.streamMaxMs',
    'a2a.messageTtlMs',
    'a2a.pageSize',
    'a2a.push.timeoutMs',
    'a2a.push.maxAttempts',
    'a2a.push.backoffBaseMs',
    'a2a.push.backoffMaxMs',
  ],
  secrets: ['a2a.signing.keys', 'a2a.peerEncryption.keys'],
});

/** The A2A peer's validated configuration. */
export type A2aConfig = ConfigOf<typeof a2aConfig>;
