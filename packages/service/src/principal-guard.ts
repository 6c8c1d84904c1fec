import { decodePrincipal } from '@switchboard/authz';
import type { Bus, RequestContext, RequestOptions } from '@switchboard/bus';
import type { SbError } from '@switchboard/protocol';
import { interceptBus } from './intercept-bus.ts';
import type { PrincipalSignatures } from './principal-signatures.ts';
import type { SecurityEvents } from './security-events.ts';

// A forged principal is not a credential anyone presented: name it in the facts, not as the
// event's principal, so the detectors do not count it against a real credential.
function claimedPrincipal(header: string): Record<string, string> {
  try {
    return { claimedPrincipal: decodePrincipal(header).id };
  } catch {
    return {};
  }
}

function reportForged(
  security: SecurityEvents,
  error: SbError,
  context: RequestContext,
  header: string,
): void {
  // The verifier's refusals all name their reason, and the key when one was named.
  const { reason, keyId } = error.details as { reason: string; keyId?: string };
  security.report({
    kind: 'auth_failed',
    path: context.subject,
    code: error.code,
    detail: error.message,
    facts: {
      reason,
      ...(keyId === undefined ? {} : { keyId }),
      ...claimedPrincipal(header),
    },
  });
}

/**
 * The bus a service works through, with signed principals (DESIGN.md, Security): with a signer,
 * every request it sends with a principal and no signature gets one (a forwarded principal is
 * signed again by this service, which may vouch for callers); with a verifier, a request carrying
 * a principal is answered only when its signature verifies, else refused with `E_UNAUTHORIZED`
 * and reported as an `auth_failed` event, before any handler reads the principal. Both are
 * cached, so a request costs a map lookup.
 */
export function guardPrincipals(
  bus: Bus,
  principals: PrincipalSignatures,
  security: SecurityEvents,
): Bus {
  const { signer, verifier } = principals;
  const signed = (options: RequestOptions | undefined): RequestOptions | undefined =>
    signer === undefined ||
    options?.principal === undefined ||
    options.principalSignature !== undefined
      ? options
      : { ...options, principalSignature: signer.sign(options.principal) };
  return interceptBus(bus, {
    requestOptions: signed,
    ...(verifier === undefined
      ? {}
      : {
          handler: (handler) => async (request, context) => {
            const header = context.principal;
            if (header !== undefined) {
              try {
                verifier.verify(header, context.principalSignature);
              } catch (error) {
                reportForged(security, error as SbError, context, header);
                throw error;
              }
            }
            return handler(request, context);
          },
        }),
  });
}
