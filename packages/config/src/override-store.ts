/**
 * Where a service's live overrides are kept. The service package implements it over the
 * JetStream KV bucket `<ns>_config` (keys `<short>.<dotted.key>`, JSON values); this package
 * speaks dotted keys (`router.retry.maxAttempts`, `log.level`) for the one service only.
 */
export interface OverrideStore {
  /** Every stored override of the service: dotted key → value. */
  load(): Promise<Map<string, unknown>>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Calls `onChange` for every later put (`value`) and delete (`undefined`), from any replica,
   * in order. Replaying current values is fine: applying one twice changes nothing. Resolves
   * with the function that stops watching.
   */
  watch(onChange: (key: string, value: unknown) => void): Promise<() => Promise<void>>;
}

/** The logging the live config does (pino's `(object, message)` signature). */
export interface ConfigLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}
