/**
 * An ISO 8601 timestamp of what postgres.js returns for `timestamptz`: drizzle's driver makes
 * the shared pool return the text Postgres sent, so raw queries see strings, not Dates.
 */
export function isoOf(value: Date | string): string {
  return (typeof value === 'string' ? new Date(value) : value).toISOString();
}

/** The instant of what postgres.js returns for `timestamptz` (see {@link isoOf}). */
export function dateOf(value: Date | string): Date {
  return typeof value === 'string' ? new Date(value) : value;
}
