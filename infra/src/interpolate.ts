/** The variables compose reads for interpolation (the shell's environment or `.env`). */
export type Variables = Readonly<Record<string, string | undefined>>;

// ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt},
// ${NAME+alt}, $NAME, and $$ for a literal dollar (the compose specification, Interpolation).
const pattern =
  /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Substitutes variables in one value as compose does. Defaults are not interpolated again
 * (compose allows nesting; this repo's files do not use it). A `?` form whose variable is
 * unset (or empty, with `:?`) throws with its message, as `docker compose` refuses to start.
 */
export function interpolate(value: string, variables: Variables): string {
  return value.replace(
    pattern,
    (_match, dollar: string | undefined, braced, operator: string | undefined, word, bare) => {
      if (dollar !== undefined) return '$';
      const name = (braced ?? bare) as string;
      const current = variables[name];
      const unsetOrEmpty = current === undefined || current === '';
      const missing = operator?.startsWith(':') ? unsetOrEmpty : current === undefined;
      switch (operator?.replace(':', '')) {
        case undefined:
          return current ?? '';
        case '-':
          return missing ? (word as string) : (current as string);
        case '+':
          return missing ? '' : (word as string);
        default:
          if (missing) throw new Error(`variable ${name} is required: ${word as string}`);
          return current as string;
      }
    },
  );
}

/** Interpolates every string in a parsed compose document (keys stay as written). */
export function interpolateDeep(value: unknown, variables: Variables): unknown {
  if (typeof value === 'string') return interpolate(value, variables);
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, variables));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateDeep(item, variables)]),
    );
  }
  return value;
}
