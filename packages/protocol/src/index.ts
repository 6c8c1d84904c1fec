export {
  describeZodIssues,
  type ErrorBody,
  ErrorBodySchema,
  fromErrorBody,
  toErrorBody,
  validationError,
} from './error-body.ts';
export { type ErrorCode, ErrorCodes, httpStatusByCode, isSbError, SbError } from './errors.ts';
export { Headers, type PayloadCodec, PayloadCodecs } from './headers.ts';
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
export { NamespaceSchema, type Subjects, subjects } from './subjects.ts';
export { PROTOCOL_VERSION } from './version.ts';
