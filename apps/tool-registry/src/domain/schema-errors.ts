/** The part of an ajv error this module reads. */
export interface SchemaErrorLike {
  instancePath: string;
  keyword: string;
  message?: string | undefined;
  params: Record<string, unknown>;
}

/** One failed check: where (a JSON Pointer into the value) and what. */
export interface SchemaFailure {
  path: string;
  message: string;
}

/**
 * Turns ajv's errors into failures that name the offending value's path: for a missing or an
 * unexpected property, the path of that property itself (`/user/email`), not of its parent.
 */
export function schemaFailures(errors: readonly SchemaErrorLike[]): SchemaFailure[] {
  return errors.map((error) => {
    const property = error.params.missingProperty ?? error.params.additionalProperty;
    const path =
      typeof property === 'string'
        ? `${error.instancePath}/${escapePointer(property)}`
        : error.instancePath;
    return { path: path === '' ? '/' : path, message: error.message ?? `fails ${error.keyword}` };
  });
}

// RFC 6901: `~` and `/` inside a token are escaped.
function escapePointer(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}
