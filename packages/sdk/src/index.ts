export {
  type Capability,
  type CloseCode,
  CloseCodes,
  type ErrorCode,
  ErrorCodes,
  isSbError,
  type Labels,
  type LifecycleRecord,
  type LifecycleStatus,
  PROTOCOL_VERSION,
  SbError,
  type StateEntry,
  type StateHistoryEntry,
  type StateHistoryPage,
  type StateWriteResult,
} from '@switchboard/protocol';
export type { AgentClient, ClientEvents, ClientListener, ClientState } from './agent-client.ts';
export { connect } from './connect.ts';
export type { LifecycleApi } from './lifecycle-api.ts';
export type { LogMethod, SdkLogger } from './logger.ts';
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
  StateDocument,
  StateHistoryOptions,
  StateScopeOption,
  StateWriteOptions,
} from './state-api.ts';
export { SDK_VERSION } from './version.ts';
export type {
  CloseEventLike,
  MessageEventLike,
  WebSocketConstructor,
  WebSocketLike,
} from './websocket.ts';
