/** One log method: structured fields first, then the message (pino's order). */
export type LogMethod = (fields: Record<string, unknown>, message: string) => void;

/**
 * Where the SDK logs its lifecycle (info), handled trouble (warn), failures a person must look
 * at (error) and per-frame detail (debug). A pino logger fits as it is. Never given tokens.
 */
export interface SdkLogger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

const ignore: LogMethod = () => undefined;

/** The default logger: says nothing. */
export const silentLogger: SdkLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
