import { describeZodIssues, SbError } from '@switchboard/protocol';
import { type Principal, PrincipalSchema } from './principal.ts';

/**
 * Longest `sb-principal` header accepted, in characters (the encoder emits ASCII only, so also
 * bytes). Headers count against NATS's `max_payload`, and a decoder must not parse unbounded
 * input; a principal this large should use roles or broader patterns.
 */
export const MAX_PRINCIPAL_HEADER_CHARS = 16 * 1024;

// NATS header values must stay on one line and are safest as ASCII: escape the rest as JSON does.
const NON_ASCII = /[\u007f-\uffff]/g;

function escapeNonAscii(json: string): string {
  return json.replace(
    NON_ASCII,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Serializes a principal (resolved with `resolvePrincipal`) for the `sb-principal` header:
 * compact JSON, ASCII only. Validates it first so that nothing `decodePrincipal` refuses leaves
 * the gateway; encode once per connection or credential, not per message.
 * @throws SbError `E_VALIDATION` when the principal is invalid or encodes over
 *   {@link MAX_PRINCIPAL_HEADER_CHARS}.
 */
export function encodePrincipal(principal: Principal): string {
  const parsed = PrincipalSchema.safeParse(principal);
  if (!parsed.success) {
    throw new SbError(
      'E_VALIDATION',
      `principal ${principal.id} cannot be encoded: ${describeZodIssues(parsed.error)}`,
    );
  }
  const header = escapeNonAscii(JSON.stringify(parsed.data));
  if (header.length > MAX_PRINCIPAL_HEADER_CHARS) {
    throw new SbError(
      'E_VALIDATION',
      `principal ${principal.id} encodes to ${header.length} characters, over the ${MAX_PRINCIPAL_HEADER_CHARS} the sb-principal header allows; give it roles or broader patterns instead of many grants`,
    );
  }
  return header;
}

function unauthorized(problem: string): SbError {
  return new SbError('E_UNAUTHORIZED', `the sb-principal header ${problem}`);
}

/**
 * Reads the `sb-principal` header of a NATS request back into a principal.
 * @throws SbError `E_UNAUTHORIZED` when the header is missing, over
 *   {@link MAX_PRINCIPAL_HEADER_CHARS}, not JSON, or not a valid principal; the message says which.
 */
export function decodePrincipal(header: string | undefined): Principal {
  if (header === undefined || header.length === 0) {
    throw unauthorized(
      'is missing: requests on behalf of a caller must come through the gateway, tool-registry or a2a-peer, which attach it',
    );
  }
  if (header.length > MAX_PRINCIPAL_HEADER_CHARS) {
    throw unauthorized(
      `is ${header.length} characters long, over the limit of ${MAX_PRINCIPAL_HEADER_CHARS}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(header);
  } catch (cause) {
    throw new SbError('E_UNAUTHORIZED', 'the sb-principal header is not valid JSON', { cause });
  }
  const parsed = PrincipalSchema.safeParse(json);
  if (!parsed.success) {
    throw unauthorized(`is not a valid principal: ${describeZodIssues(parsed.error)}`);
  }
  return parsed.data;
}
