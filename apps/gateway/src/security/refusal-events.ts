import type { Principal } from '@switchboard/authz';
import type { SbError } from '@switchboard/protocol';
import type { SecurityEvents } from '@switchboard/service';

/** Where a refused request came from. */
export interface RefusedRequest {
  ip: string;
  path: string;
  /** Known once the credential was resolved (a scope or origin refusal). */
  principal?: Principal | undefined;
}

/**
 * Reports what the gateway's authentication refused: a bad, unknown or expired credential
 * (`auth_failed`), a revoked API key (`revoked_key_used`), a request its principal may not make
 * (`forbidden`: an operator scope, a browser origin). Rate limits report themselves (the
 * limiter); anything else is not a security event.
 */
export function reportRefusal(
  security: SecurityEvents,
  error: SbError,
  request: RefusedRequest,
): void {
  const { principal } = request;
  const keyId = error.details?.keyId;
  const who =
    principal !== undefined
      ? { principal: principal.id, credentialId: principal.credential.id }
      : typeof keyId === 'string'
        ? { credentialId: keyId }
        : {};
  const facts = { ip: request.ip, path: request.path, code: error.code, detail: error.message };
  if (error.code === 'E_UNAUTHORIZED') {
    const kind = error.details?.reason === 'revoked' ? 'revoked_key_used' : 'auth_failed';
    security.report({ kind, ...who, ...facts });
  } else if (error.code === 'E_FORBIDDEN') {
    security.report({ kind: 'forbidden', ...who, ...facts });
  }
}
