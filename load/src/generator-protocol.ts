import type { EncodedPhaseTally } from './latency.ts';
import type { Mix } from './operations.ts';
import type { ClientRecords } from './records.ts';

// The messages between the load run (parent) and its generator processes, over Node's IPC.

/** What a generator process needs to connect its share of the agents. */
export interface GeneratorSetup {
  cmd: 'setup';
  runId: string;
  /** This process's number and how many there are: it takes agents with index % count === this. */
  processIndex: number;
  processCount: number;
  agents: number;
  gatewayUrls: [string, string];
  mcpUrl: string;
  a2aUrl: string;
  apiKey: string;
  payloadBytes: number;
  requestTimeoutMs: number;
  /** Agents connected at once while setting up. */
  connectConcurrency: number;
}

/** Offer `ratePerSecond` (this process's share) from `startAtMs` (epoch) for `durationMs`. */
export interface GeneratorPhase {
  cmd: 'phase';
  startAtMs: number;
  ratePerSecond: number;
  durationMs: number;
  mix: Mix;
  /** Operations in flight past which an arrival is counted as E_GENERATOR_SATURATED, not sent. */
  maxInFlight: number;
}

/** Parent → generator. */
export type GeneratorCommand =
  | GeneratorSetup
  | GeneratorPhase
  | { cmd: 'records' }
  | { cmd: 'stop' };

/** Generator → parent. */
export type GeneratorReply =
  | { kind: 'ready'; connected: number }
  | { kind: 'phase'; tally: EncodedPhaseTally }
  | { kind: 'records'; records: ClientRecords }
  | { kind: 'error'; message: string };
