import { InvalidArgumentError } from 'commander';
import type { CliIo } from '../context.ts';

/** Collects a repeatable option's values (undefined until the option is given). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A whole number above zero. */
export function parsePositiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError('use a whole number above 0');
  }
  return parsed;
}

/** Tells people how to get the next page (on stderr, so stdout stays the table). */
export function printMore(io: CliIo, nextCursor: string | null): void {
  if (nextCursor !== null) io.stderr(`more: --cursor ${nextCursor}\n`);
}
