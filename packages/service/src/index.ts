export { addressRefusal, type OutboundAllowance } from './address-refusal.ts';
export { answerEach, type ItemAnswer } from './answer-each.ts';
export { type Batcher, createBatcher } from './batcher.ts';
export {
  type BearerAuthenticator,
  type BearerCaller,
  type BearerRequest,
  bearerTokenOf,
  createBearerAuthenticator,
} from './bearer-authenticator.ts';
export { type Caller, callerOf, serveAs } from './caller.ts';
export {
  createService,
  type Service,
  type ServiceConnections,
  type ServiceDeps,
  type ServiceOptions,
} from './create-service.ts';
export { createHttpServer } from './http-server.ts';
export { generateInstanceId } from './instance-id.ts';
export { kvOverrideStore } from './kv-override-store.ts';
export { listenSettings } from './listen-settings.ts';
export { createMetricsRegistry } from './metrics.ts';
export { checkOutboundUrl, guardedFetch } from './outbound-url.ts';
export { payloadCompressionMetrics } from './payload-metrics.ts';
export { servePayloadReencryption } from './payload-reencryption.ts';
export { guardPrincipals } from './principal-guard.ts';
export {
  loadPrincipalSignatures,
  PRINCIPAL_SIGNING_SERVICES,
  type PrincipalSignatures,
} from './principal-signatures.ts';
export { type RateLimitState, rateLimited, rateLimitHeaders } from './rate-limit-headers.ts';
export { checkReadiness, type ReadinessCheck, type ReadinessReport } from './readiness.ts';
export { reportRefusals } from './refusal-reports.ts';
export {
  BucketLimitSchema,
  bucketLimitSetting,
  limitForRoles,
  roleLimitsSetting,
} from './role-limits.ts';
export { type PeriodicJob, runEvery } from './run-every.ts';
export {
  createSecurityEvents,
  type SecurityEvents,
  type SecurityReport,
} from './security-events.ts';
export { type ServiceIdentity, serveServiceRpcs } from './service-rpcs.ts';
export { onShutdown } from './shutdown.ts';
export { type BuildService, type StartedProcess, startServiceProcess } from './start-process.ts';
export { sweepInBatches } from './sweep-batches.ts';
export { sweepSettings } from './sweep-settings.ts';
export { createTokenResolver, type TokenResolver } from './token-resolver.ts';
export { reportUndecryptable } from './undecryptable-reports.ts';
