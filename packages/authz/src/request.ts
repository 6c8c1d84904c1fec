import type { A2aRequest } from './kinds/a2a.ts';
import type { AgentRequest } from './kinds/agent.ts';
import type { BroadcastRequest } from './kinds/broadcast.ts';
import type { OperatorRequest } from './kinds/operator.ts';
import type { PublishRequest } from './kinds/publish.ts';
import type { StateRequest } from './kinds/state.ts';
import type { SubscribeRequest } from './kinds/subscribe.ts';
import type { TaskRequest } from './kinds/task.ts';
import type { ToolRequest } from './kinds/tool.ts';

/**
 * What a principal asks to do, by `kind`: one per grant kind, plus `agent` (acting as an agent
 * id, decided by the credential's binding).
 */
export type AuthzRequest =
  | AgentRequest
  | PublishRequest
  | SubscribeRequest
  | BroadcastRequest
  | OperatorRequest
  | ToolRequest
  | StateRequest
  | TaskRequest
  | A2aRequest;

/** The request of one kind: `RequestOf<'state'>` is a state request. */
export type RequestOf<K extends AuthzRequest['kind']> = Extract<AuthzRequest, { kind: K }>;
