export type { Logger } from 'pino';
export {
  createLogger,
  type LoggerOptions,
  type RootLogger,
} from './create-logger.ts';
export type { FileLogOptions } from './file-sink.ts';
export { type LogLevel, LogLevelSchema } from './levels.ts';
export { defaultRedactPaths, redactedValue, redactUrl } from './redact.ts';
