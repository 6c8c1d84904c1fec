export type {
  Bus,
  BusEvent,
  BusSubscription,
  CallContext,
  ConsumeOptions,
  KvBucket,
  KvChange,
  RequestContext,
  RequestOptions,
} from './bus.ts';
export { decodeJson, encodeJson, maxDecodedBytes } from './codec.ts';
export { connectNatsBus } from './connect.ts';
export { type ReplyEnvelope, ReplyEnvelopeSchema } from './envelope.ts';
export { type BusLogger, silentLogger } from './logger.ts';
export { MemoryBus, type MemoryBusOptions } from './memory-bus.ts';
export { NatsBus } from './nats-bus.ts';
export { type NatsBusOptions, type NatsTlsOptions, natsBusDefaults } from './options.ts';
export { ScopedBus } from './scoped-bus.ts';
export { continueTrace, isTraceparent, newTraceparent, traceIdOf } from './trace.ts';
