// Tasks.
export type {
  AssignmentStrategy,
  Task,
  TaskStatus,
  TaskSubmitResult,
  TaskTransition,
  TaskType,
  TaskTypeInput,
} from '@switchboard/protocol';
export {
  type AnycastStrategy,
  type Capability,
  type CloseCode,
  CloseCodes,
  DEFAULT_PRIORITY,
  type DeadLetter,
  type DeliveredMessage,
  type ErrorBody,
  type ErrorCode,
  ErrorCodes,
  isSbError,
  type JsonValue,
  type Labels,
  type LifecycleRecord,
  type LifecycleStatus,
  MAX_PRIORITY,
  type MessageHeaders,
  type MessageTarget,
  MIN_PRIORITY,
  PROTOCOL_VERSION,
  SbError,
  type SendResult,
  type StateEntry,
  type StateHistoryEntry,
  type StateHistoryPage,
  type StateSummary,
  type StateSummaryItem,
  type StateWriteResult,
  type Subscription,
  type SubscriptionFilter,
  type ToolCallResult,
  type ToolDefinitionInput,
  type ToolRecord,
} from '@switchboard/protocol';
export {
  type A2aApi,
  type A2aArtifactInput,
  type A2aHandler,
  type A2aReply,
  type A2aRequest,
  type A2aTask,
  partsOf,
} from './a2a.ts';
export type {
  AgentClient,
  ClientEvents,
  ClientListener,
  ClientState,
  Resumption,
} from './agent-client.ts';
export { connect } from './connect.ts';
export type {
  DeadLetterListOptions,
  DeadLetterPage,
  DeadLetterSelection,
  DeadLettersApi,
} from './dead-letters-api.ts';
export type { LifecycleApi } from './lifecycle-api.ts';
export type { LogMethod, SdkLogger } from './logger.ts';
export type {
  AnycastOptions,
  BroadcastOptions,
  CallOptions,
  DeliveryContext,
  MessageFields,
  MessageHandler,
  MessageInput,
  MessagingApi,
  RequestOptions,
  SendOptions,
  SubscribeOptions,
} from './messaging-api.ts';
export type {
  AgentInfo,
  ConnectOptions,
  ConnectSettings,
  Credentials,
  TokenSource,
} from './options.ts';
export type { ReconnectOptions } from './retry-policy.ts';
export type {
  StateApi,
  StateChange,
  StateDocument,
  StateHistoryOptions,
  StateScopeOption,
  StateWriteOptions,
} from './state-api.ts';
export type {
  HandleOptions,
  SubmitOptions,
  TaskContext,
  TaskHandler,
  TaskListOptions,
  TaskPage,
  TasksApi,
  WaitOptions,
} from './tasks-api.ts';
export type {
  ToolCallOptions,
  ToolListOptions,
  ToolPage,
  ToolRegistration,
  ToolsApi,
} from './tools-api.ts';
export type { ToolCallContext, ToolHandler } from './tools-provided.ts';
export { SDK_VERSION } from './version.ts';
export type {
  CloseEventLike,
  MessageEventLike,
  WebSocketConstructor,
  WebSocketLike,
} from './websocket.ts';
