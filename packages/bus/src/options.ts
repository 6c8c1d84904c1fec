import type { TlsSettings } from '@switchboard/config';
import type { Registry } from 'prom-client';
import type { BusCompression } from './codec.ts';
import type { BusLogger } from './logger.ts';

/** TLS settings; each of `ca`, `cert` and `key` is PEM text or the path of a PEM file. */
export type NatsTlsOptions = TlsSettings;

/** Options of {@link connectNatsBus}. */
export interface NatsBusOptions {
  /** `SB_NAMESPACE`: every subject, stream and bucket derives from it. */
  namespace: string;
  /** Server URLs, e.g. `['nats://127.0.0.1:4222']`. */
  servers: string[];
  /** Connection name shown by the server (service and instance). */
  name?: string;
  user?: string;
  pass?: string;
  token?: string;
  tls?: NatsTlsOptions;
  /** How long the first connect may take; default 5000. */
  connectTimeoutMs?: number;
  /** Default request timeout, read at every request: it is a live setting. */
  requestTimeoutMs: () => number;
  /** `max_age` of the event stream; default 7 days. */
  eventRetentionMs?: number;
  /** Delay before an event whose handler threw is redelivered; default 1000. */
  eventRetryDelayMs?: number;
  /** The largest message the mesh must carry; default 512 KiB payload + 64 KiB envelope. */
  requiredPayloadBytes?: number;
  /** Handler bugs and connection status changes go here. */
  log?: BusLogger;
  /** When given, served RPCs are counted and timed in it, and compressed bytes counted. */
  metrics?: Registry;
  /**
   * Compression of request and reply bodies (read at every message: a live setting); default
   * none. A reader decodes whatever `sb-encoding` says, whatever its own setting.
   */
  compression?: () => BusCompression;
}

/** Defaults of the optional settings. */
export const natsBusDefaults = {
  connectTimeoutMs: 5000,
  eventRetentionMs: 7 * 24 * 60 * 60 * 1000,
  eventRetryDelayMs: 1000,
  requiredPayloadBytes: 512 * 1024 + 64 * 1024,
} as const;
