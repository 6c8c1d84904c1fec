/**
 * The logger the bus writes to: the subset of pino's API it uses, so a pino logger (or a child)
 * fits as is.
 */
export interface BusLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** A logger that drops everything, for callers that pass none. */
export const silentLogger: BusLogger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
};
