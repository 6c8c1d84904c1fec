export {
  isValidSubject,
  isValidSubjectPattern,
  MAX_PATTERN_CHARS,
  patternCovers,
  SubjectPatternSchema,
  subjectMatches,
} from '@switchboard/protocol';
export {
  apiKeyIdOf,
  hashToken,
  type MintedKey,
  mintApiKey,
  tokenMatches,
} from './api-key-token.ts';
export { assertAllowed, authorize, type Decision } from './authorize.ts';
export { decodePrincipal, encodePrincipal, MAX_PRINCIPAL_HEADER_CHARS } from './codec.ts';
export {
  type AuthChange,
  type AuthChangedEvent,
  AuthChangedEventSchema,
  AuthChanges,
} from './events.ts';
export { type Grant, type GrantKind, type GrantOf, GrantSchema, grantKinds } from './grant.ts';
export type { A2aGrant, A2aRequest } from './kinds/a2a.ts';
export { type AgentRequest, ANY_AGENT } from './kinds/agent.ts';
export type { BroadcastGrant, BroadcastRequest } from './kinds/broadcast.ts';
export {
  ALL_OPERATOR_SCOPES,
  type OperatorGrant,
  type OperatorRequest,
  type OperatorScope,
  OperatorScopes,
} from './kinds/operator.ts';
export type { PublishGrant, PublishRequest } from './kinds/publish.ts';
export {
  type StateAccess,
  StateAccessModes,
  type StateGrant,
  type StateRequest,
} from './kinds/state.ts';
export type { SubscribeGrant, SubscribeRequest } from './kinds/subscribe.ts';
export { type TaskAction, TaskActions, type TaskGrant, type TaskRequest } from './kinds/task.ts';
export { type ToolAction, ToolActions, type ToolGrant, type ToolRequest } from './kinds/tool.ts';
export {
  type CredentialType,
  CredentialTypes,
  type Principal,
  type PrincipalIdKind,
  PrincipalIdKinds,
  PrincipalSchema,
  principalId,
  RoleNameSchema,
} from './principal.ts';
export {
  mintPrincipalKeyPair,
  type PrincipalKeyPair,
  parsePrincipalPrivateKey,
  parsePrincipalPublicKey,
} from './principal-keys.ts';
export {
  createPrincipalSigner,
  createPrincipalVerifier,
  PRINCIPAL_KEY_ID_PATTERN,
  type PrincipalSignatureFailure,
  PrincipalSignatureFailures,
  type PrincipalSigner,
  type PrincipalVerifier,
} from './principal-signature.ts';
export type { AuthzRequest, RequestOf } from './request.ts';
export {
  builtInRoles,
  type ResolvedPrincipal,
  type RoleDefinition,
  RoleDefinitionSchema,
  resolvePrincipal,
} from './roles.ts';
export { AuthResolveRpc } from './rpc.ts';
