import { z } from 'zod';
import type { ServiceShortName } from './services.ts';
import { PROTOCOL_VERSION } from './version.ts';

/** `SB_NAMESPACE`: every subject, stream, bucket and Redis key derives from it. */
export const NamespaceSchema = z
  .string()
  .regex(/^[a-z0-9_]+$/, 'use lowercase letters, digits and underscores only')
  .max(48);

const v = `v${PROTOCOL_VERSION}`;

/** Names derived from a namespace. The only place subjects and resource names are spelled. */
export function subjects(namespace: string) {
  const ns = NamespaceSchema.parse(namespace);
  return {
    namespace: ns,
    /** RPC subject `<ns>.v1.<short>.<operation>`. */
    rpc: (service: ServiceShortName, operation: string) => `${ns}.${v}.${service}.${operation}`,
    /** The queue group a service's replicas share. */
    queueGroup: (service: ServiceShortName) => `${ns}.${service}`,
    /** Event subject `<ns>.v1.evt.<domain>.<event>`. */
    event: (domain: string, event: string) => `${ns}.${v}.evt.${domain}.${event}`,
    /** Wildcard over every event. */
    allEvents: `${ns}.${v}.evt.>`,
    /** Delivery to one gateway instance. */
    gatewayDeliver: (gatewayId: string) => `${ns}.${v}.gw.${gatewayId}.deliver`,
    /** Control requests to one gateway instance (disconnect an agent it holds, ...). */
    gatewayControl: (gatewayId: string) => `${ns}.${v}.gw.${gatewayId}.control`,
    /** Tool calls to the agents one gateway instance holds. */
    gatewayCall: (gatewayId: string) => `${ns}.${v}.gw.${gatewayId}.call`,
    /** JetStream stream holding the events. */
    eventStream: `${ns}_events`,
    /** JetStream KV bucket of live config overrides. */
    configBucket: `${ns}_config`,
    /** Prefix of every Redis key. */
    redisPrefix: `${ns}:`,
  };
}

/** The names derived from one namespace. */
export type Subjects = ReturnType<typeof subjects>;
