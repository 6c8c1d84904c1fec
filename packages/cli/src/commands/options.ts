import { InvalidArgumentError } from 'commander';
import { CliError } from '../client.ts';
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

/** A TCP port to listen on. */
export function parsePort(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65_535) {
    throw new InvalidArgumentError('use a port from 1 to 65535');
  }
  return parsed;
}

/** Tells people how to get the next page (on stderr, so stdout stays the table). */
export function printMore(io: CliIo, nextCursor: string | null): void {
  if (nextCursor !== null) io.stderr(`more: --cursor ${nextCursor}\n`);
}

/** Collects a repeatable `key=value` option (the value may be empty or hold `=`). */
export function collectPair(value: string, previous: string[] | undefined): string[] {
  if (!/^[^=]+=/.test(value)) throw new InvalidArgumentError('use key=value');
  return collect(value, previous);
}

/** `key=value` options as a record (a repeated key keeps its last value). */
export function recordOf(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (pairs === undefined) return undefined;
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** A JSON value typed on the command line; anything else is `E_VALIDATION` naming `what`. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError('E_VALIDATION', `give the ${what} as JSON (quote text: '"hello"')`);
  }
}
