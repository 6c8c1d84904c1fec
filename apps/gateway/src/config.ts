import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { listenSettings, roleLimitsSetting } from '@switchboard/service';
import { z } from 'zod';
import { eventStreamSettings, overviewSettings, sessionSettings } from './http/settings.ts';
import { securitySettings } from './security/security-settings.ts';

const JwtAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
] as const;

const JwtSettings = z
  .strictObject({
    issuer: z.string().min(1).describe('Required `iss` of agent and operator JWTs'),
    audience: z.string().min(1).describe('Required `aud` of agent and operator JWTs'),
    algorithms: z
      .array(z.enum(JwtAlgorithms))
      .min(1)
      .default(['RS256', 'ES256', 'EdDSA'])
      .describe('Signature algorithms accepted (asymmetric only: no shared secrets)'),
    publicKeys: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Public keys that verify JWTs: PEM text or PEM file paths (comma-separated in env)',
      ),
    jwks: z
      .string()
      .min(1)
      .optional()
      .describe('A JWKS document that verifies JWTs (by `kid`): JSON text or a file path'),
    clockToleranceMs: z
      .int()
      .min(0)
      .max(600_000)
      .default(5000)
      .describe('Leeway on `exp` and `nbf`, in ms'),
    agentIdsClaim: z
      .string()
      .min(1)
      .default('agent_ids')
      .describe('Claim listing the agent ids a token may act as (default: `sub` alone)'),
    rolesClaim: z.string().min(1).default('roles').describe('Claim listing the roles of a token'),
  })
  .refine((jwt) => jwt.publicKeys.length > 0 || jwt.jwks !== undefined, {
    message: 'give publicKeys or jwks, or JWTs cannot be verified',
  });

function bucket(capacity: number, refillPerSecond: number) {
  return z
    .strictObject({
      capacity: z.int().min(1).max(10_000_000).default(capacity).describe('Burst size, in tokens'),
      refillPerSecond: z
        .number()
        .positive()
        .max(10_000_000)
        .default(refillPerSecond)
        .describe('Sustained rate, in tokens per second'),
    })
    .prefault({});
}

/** The gateway's settings: the shared sections plus its own under `gateway` (`SB_GATEWAY__*`). */
export const gatewayConfig = defineServiceConfig({
  service: 'gateway',
  section: z.strictObject({
    ...listenSettings('gateway'),
    consoleDir: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Folder of the built web console, served at /console/ (default: apps/console/dist of this checkout)',
      ),
    allowedOrigins: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Origins of browser pages that may open agent connections (`*`: any); clients without an Origin (Node agents) always may',
      ),
    connections: z
      .strictObject({
        maxFrameBytes: z
          .int()
          .min(1024)
          .max(16 * 1024 * 1024)
          .default(1024 * 1024)
          .describe('Largest WebSocket frame; a bigger one closes the connection (1009)'),
        maxPayloadBytes: z
          .int()
          .min(256)
          .max(900 * 1024)
          .default(512 * 1024)
          .describe(
            'Largest frame an agent may send and keep its connection (error frame `E_PAYLOAD_TOO_LARGE` above); must fit NATS max_payload with its envelope',
          ),
        heartbeatIntervalMs: z
          .int()
          .min(10)
          .max(600_000)
          .default(15_000)
          .describe('How often each side pings the other, in ms'),
        heartbeatTimeoutMs: z
          .int()
          .min(20)
          .max(1_800_000)
          .default(45_000)
          .describe('A connection silent this long is closed and its agent disconnected, in ms'),
        maxBadFrames: z
          .int()
          .min(1)
          .max(10_000)
          .default(20)
          .describe('Malformed frames in a row after which a connection is closed'),
        maxQueuedBytes: z
          .int()
          .min(1024)
          .max(256 * 1024 * 1024)
          .default(8 * 1024 * 1024)
          .describe('Bytes waiting to be sent to a slow agent before it stops receiving pushes'),
        maxPendingRequests: z
          .int()
          .min(1)
          .max(100_000)
          .default(256)
          .describe(
            'Pipelined frames of one connection waiting for their answers, per kind (`send`; reads of state, lifecycle, subscriptions and dead letters); past it the gateway reads no more frames from that agent until the oldest is answered',
          ),
        maxWatches: z
          .int()
          .min(1)
          .max(10_000)
          .default(100)
          .describe(
            'State scopes one connection may watch (`state.watch`) at once; one more is refused with `E_RATE_LIMITED`',
          ),
        permessageDeflate: z
          .strictObject({
            enabled: z
              .boolean()
              .default(false)
              .describe(
                'Offer permessage-deflate (RFC 7692) to agents whose client asks for it; read at start',
              ),
            thresholdBytes: z
              .int()
              .min(0)
              .max(16 * 1024 * 1024)
              .default(1024)
              .describe('Frames of at least this many bytes are compressed; smaller ones are not'),
            level: z
              .int()
              .min(1)
              .max(9)
              .default(1)
              .describe('zlib level of outgoing frames: 1 fastest, 9 smallest'),
          })
          .prefault({}),
      })
      .prefault({})
      .refine((limits) => limits.maxFrameBytes > limits.maxPayloadBytes, {
        message: 'maxFrameBytes must be larger than maxPayloadBytes',
        path: ['maxFrameBytes'],
      })
      .refine((limits) => limits.heartbeatTimeoutMs > limits.heartbeatIntervalMs, {
        message: 'heartbeatTimeoutMs must be longer than heartbeatIntervalMs',
        path: ['heartbeatTimeoutMs'],
      }),
    rateLimits: z
      .strictObject({
        perIp: bucket(200, 100).describe(
          'Token bucket per client IP, before authentication (connects, API requests)',
        ),
        perCredential: bucket(1000, 500).describe(
          'Token bucket per credential, across replicas (connects, API requests, agent frames)',
        ),
        perCredentialByRole: roleLimitsSetting(),
        frameBatch: z
          .int()
          .min(1)
          .max(10_000)
          .default(50)
          .describe("Frames a gateway takes from a credential's bucket per Redis round trip"),
      })
      .prefault({}),
    security: securitySettings,
    events: eventStreamSettings,
    session: sessionSettings,
    overview: overviewSettings,
    lease: z
      .strictObject({
        ttlMs: z
          .int()
          .min(30)
          .max(600_000)
          .default(15_000)
          .describe(
            "Lifetime of a gateway instance's lease in Redis; a lease gone this long marks that instance's agents disconnected, in ms",
          ),
        sweepIntervalMs: z
          .int()
          .min(10)
          .max(600_000)
          .default(5000)
          .describe('How often each gateway looks for lapsed leases of other instances, in ms'),
      })
      .prefault({}),
    auth: z
      .strictObject({
        bootstrapKeySha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (a SHA-256)')
          .optional()
          .describe(
            'SHA-256 of the bootstrap admin key (`switchboard keys bootstrap` prints both): opens the operator API on a fresh install',
          ),
        jwt: JwtSettings.optional(),
      })
      .prefault({}),
  }),
  live: [
    'gateway.allowedOrigins',
    'gateway.connections.maxPayloadBytes',
    'gateway.connections.heartbeatIntervalMs',
    'gateway.connections.heartbeatTimeoutMs',
    'gateway.connections.maxBadFrames',
    'gateway.connections.maxQueuedBytes',
    'gateway.connections.maxPendingRequests',
    'gateway.connections.maxWatches',
    'gateway.lease',
    'gateway.events',
    'gateway.session',
    'gateway.overview',
    'gateway.rateLimits',
    'gateway.security',
  ],
});

/** The gateway's validated configuration. */
export type GatewayConfig = ConfigOf<typeof gatewayConfig>;
