/**
 * The code an operation failed with: the error's own, or that of its cause (fetch reports a
 * refused connection as a TypeError whose cause has `ECONNREFUSED`); `E_CLIENT` without either.
 */
export function codeOf(error: unknown): string {
  for (let current = error, depth = 0; depth < 3 && current instanceof Object; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return 'E_CLIENT';
}
