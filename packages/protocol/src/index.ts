export {
  describeZodIssues,
  type ErrorBody,
  ErrorBodySchema,
  fromErrorBody,
  toErrorBody,
  validationError,
} from './error-body.ts';
export { type ErrorCode, ErrorCodes, httpStatusByCode, isSbError, SbError } from './errors.ts';
export {
  type AgentConnectedEvent,
  AgentConnectedEventSchema,
  type AgentDisconnectedEvent,
  AgentDisconnectedEventSchema,
  type DisconnectReason,
  DisconnectReasons,
} from './events/agent-events.ts';
export {
  type AgentLifecycleEvent,
  AgentLifecycleEventSchema,
  type StateChangedEvent,
  StateChangedEventSchema,
} from './events/state-events.ts';
export {
  AgentIdSchema,
  type AgentRegistration,
  AgentRegistrationSchema,
  type Capability,
  CapabilitySchema,
  type Labels,
  LabelsSchema,
  type RegisterResult,
  RegisterResultSchema,
} from './frames/agent.ts';
export {
  type ClientFrame,
  ClientFrameSchema,
  type ClientFrameType,
  clientFrameTypes,
  type HelloFrame,
  HelloFrameSchema,
  type RegisterFrame,
  RegisterFrameSchema,
} from './frames/client-frames.ts';
export { type CloseCode, CloseCodes } from './frames/close-codes.ts';
export {
  type ErrorFrame,
  ErrorFrameSchema,
  type FrameError,
  FrameErrorSchema,
  FrameIdSchema,
  type PingFrame,
  PingFrameSchema,
  type PongFrame,
  PongFrameSchema,
  type ResultFrame,
  ResultFrameSchema,
} from './frames/envelope.ts';
export { type ParsedFrame, parseClientFrame } from './frames/parse-frame.ts';
export {
  type ConnectionLimits,
  ConnectionLimitsSchema,
  type ServerFrame,
  ServerFrameSchema,
  type WelcomeFrame,
  WelcomeFrameSchema,
} from './frames/server-frames.ts';
export {
  type LifecycleGetFrame,
  LifecycleGetFrameSchema,
  type LifecycleTransitionFrame,
  LifecycleTransitionFrameSchema,
  type ServiceFrame,
  type StateDeleteFrame,
  StateDeleteFrameSchema,
  type StateGetFrame,
  StateGetFrameSchema,
  type StateHistoryFrame,
  StateHistoryFrameSchema,
  type StatePatchFrame,
  StatePatchFrameSchema,
  type StatePutFrame,
  StatePutFrameSchema,
  serviceFrameSchemas,
} from './frames/service-frames.ts';
export {
  type AgentRecord,
  AgentRecordSchema,
  type AgentStatus,
  AgentStatuses,
  type AgentsPage,
  AgentsPageSchema,
  type AgentsQuery,
  AgentsQueryRpc,
  AgentsQuerySchema,
  type GatewayControlRequest,
  GatewayControlRequestSchema,
  GatewayControlRpc,
  MAX_AGENTS_PAGE,
} from './gateway-rpcs.ts';
export { Headers, type PayloadCodec, PayloadCodecs } from './headers.ts';
export {
  canTransition,
  failureDisconnectReasons,
  type LifecycleStatus,
  LifecycleStatuses,
  lifecycleTransitions,
  pathOnConnect,
  pathOnDisconnect,
  transition,
} from './lifecycle.ts';
export { defineRpc, type RpcDefinition } from './rpc.ts';
export {
  ConfigGetRpc,
  ConfigSetRpc,
  type ConfigSource,
  ConfigSourceSchema,
  ConfigUnsetRpc,
  PingRpc,
  type SettingReport,
  SettingReportSchema,
  StatsRpc,
} from './service-rpcs.ts';
export { type ServiceShortName, Services, serviceShortNames } from './services.ts';
export {
  agentScope,
  LifecycleGetRpc,
  LifecycleHistoryEntrySchema,
  LifecycleHistoryRpc,
  type LifecycleRecord,
  LifecycleRecordSchema,
  LifecycleTransitionRpc,
  StateDeleteRpc,
  type StateEntry,
  StateEntrySchema,
  StateGetRpc,
  type StateHistoryEntry,
  StateHistoryEntrySchema,
  type StateHistoryPage,
  StateHistoryRpc,
  StateKeySchema,
  type StateOp,
  StateOps,
  StatePatchRpc,
  StatePutRpc,
  StateScopeSchema,
  StateVersionRpc,
  StateVersionSchema,
  type StateWriteResult,
  StateWriteResultSchema,
} from './state-rpcs.ts';
export { NamespaceSchema, type Subjects, subjects } from './subjects.ts';
export { PROTOCOL_VERSION } from './version.ts';
