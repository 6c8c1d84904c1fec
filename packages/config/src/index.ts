export { ConfigError } from './config-error.ts';
export type { ConfigIssue, IssueSource } from './config-issue.ts';
export {
  type AnyServiceConfig,
  type ConfigOf,
  type ConfigRuleIssue,
  defineServiceConfig,
  type ServiceConfig,
  type ServiceConfigDefinition,
  type ServiceConfigSchema,
  type ServiceConfigShape,
} from './define.ts';
export { coerceEnvValue } from './env-coercion.ts';
export { type Env, envNameOf } from './env-source.ts';
export {
  type ConfigListener,
  LiveConfig,
  type LiveConfigStartOptions,
} from './live-config.ts';
export { type LoadConfigOptions, loadConfig } from './load-config.ts';
export { describeTextChange, replaceMarkedSection } from './marked-section.ts';
export type { ConfigLogger, OverrideStore } from './override-store.ts';
export {
  PAYLOAD_KEY_BYTES,
  PayloadKeyIdSchema,
  PayloadKeySchema,
  PayloadKeysSchema,
  type PayloadSettings,
  PayloadsSchema,
} from './payloads-schema.ts';
export {
  PrincipalKeyIdSchema,
  PrincipalKeySchema,
  PrincipalPublicKeysSchema,
  type PrincipalSettings,
  PrincipalsSchema,
} from './principals-schema.ts';
export { REDACTED, redactUrl } from './redact.ts';
export { describeSettings, NO_DEFAULT, type SettingDoc } from './setting-docs.ts';
export { renderSettingsReference } from './settings-reference.ts';
export { renderSettingsTable } from './settings-table.ts';
export {
  type SharedConfig,
  SharedConfigSchema,
  sharedConfigShape,
  TlsSchema,
} from './shared-schema.ts';
export { resolveTls, type TlsMaterial, type TlsSettings } from './tls.ts';
export { type Dependency, startCommands, unreachableError } from './unreachable.ts';
