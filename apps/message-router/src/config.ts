import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { AnycastStrategies } from '@switchboard/protocol';
import { listenSettings, sweepSettings } from '@switchboard/service';
import { z } from 'zod';

const DAY_MS = 86_400_000;

const ms = (min: number, max: number, fallback: number, description: string) =>
  z.int().min(min).max(max).default(fallback).describe(description);

/** The message router's settings: the shared sections plus its own under `router` (`SB_ROUTER__*`). */
export const routerConfig = defineServiceConfig({
  service: 'router',
  section: z
    .strictObject({
      ...listenSettings('router'),
      maxPayloadBytes: z
        .int()
        .min(2)
        .max(900 * 1024)
        .default(512 * 1024)
        .describe('Largest message payload, serialized as UTF-8 JSON, in bytes'),
      defaultTtlMs: ms(
        1000,
        365 * DAY_MS,
        DAY_MS,
        'How long a message waits for delivery when it names no TTL, in ms',
      ),
      maxTtlMs: ms(1000, 365 * DAY_MS, 7 * DAY_MS, 'Longest TTL a message may ask for, in ms'),
      defaultAnycastStrategy: z
        .enum(AnycastStrategies)
        .default('round_robin')
        .describe('How an anycast picks its agent when the sender names no strategy'),
      maxSubscriptionsPerAgent: z
        .int()
        .min(1)
        .max(100_000)
        .default(1000)
        .describe('Subscriptions one agent may hold'),
      delivery: z
        .strictObject({
          maxInFlight: z
            .int()
            .min(1)
            .max(10_000)
            .default(32)
            .describe('Unacked deliveries one agent holds at most (1: strict order)'),
          ackTimeoutMs: ms(
            10,
            DAY_MS,
            30_000,
            'How long a pushed delivery waits for its ack before it is retried, in ms',
          ),
          maxAttempts: z
            .int()
            .min(1)
            .max(1000)
            .default(8)
            .describe('Attempts of a delivery before it becomes a dead letter'),
          backoffBaseMs: ms(
            1,
            DAY_MS,
            1000,
            'Delay before the first retry; doubles with every attempt (with jitter), in ms',
          ),
          backoffMaxMs: ms(1, DAY_MS, 300_000, 'Longest delay between two attempts, in ms'),
          sweepIntervalMs: ms(
            10,
            3_600_000,
            1000,
            'How often a replica retries due deliveries and expires leases and TTLs, in ms',
          ),
          batchSize: z
            .int()
            .min(1)
            .max(10_000)
            .default(1000)
            .describe('Deliveries one dispatch round claims at most'),
        })
        .prefault({}),
      accept: z
        .strictObject({
          maxBatch: z
            .int()
            .min(1)
            .max(10_000)
            .default(1000)
            .describe('Messages written to Postgres in one transaction at most'),
        })
        .prefault({}),
      retention: z
        .strictObject({
          messagesMs: ms(
            1,
            3650 * DAY_MS,
            7 * DAY_MS,
            'How long delivered (or expired) messages stay in history, in ms',
          ),
          deadLettersMs: ms(1, 3650 * DAY_MS, 30 * DAY_MS, 'How long dead letters are kept, in ms'),
          ...sweepSettings({
            interval: 'How often a replica deletes what retention lets go, in ms',
            batch: 'Rows one retention statement deletes at most',
          }),
        })
        .prefault({}),
    })
    .refine((router) => router.defaultTtlMs <= router.maxTtlMs, {
      message: 'defaultTtlMs must not be longer than maxTtlMs',
      path: ['defaultTtlMs'],
    }),
  live: [
    'router.delivery.maxInFlight',
    'router.delivery.ackTimeoutMs',
    'router.delivery.maxAttempts',
    'router.delivery.backoffBaseMs',
    'router.delivery.backoffMaxMs',
    'router.defaultAnycastStrategy',
  ],
});

/** The message router's validated configuration. */
export type RouterConfig = ConfigOf<typeof routerConfig>;

/** The router section of the configuration. */
export type RouterSettings = RouterConfig['router'];
