import { assertAllowed, type OperatorScope, type Principal } from '@switchboard/authz';
import { SbError } from '@switchboard/protocol';
import type { FastifyRequest } from 'fastify';
import { extractBearerToken } from '../auth/credentials.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The operator scope a route needs; a route under `/v1` without one is refused.
     * {@link SERVICE_AUTHORIZED} marks a route whose owning service authorizes the forwarded
     * principal itself (with grants of its own kind, such as `state`).
     */
    operatorScope?: OperatorScope | typeof SERVICE_AUTHORIZED;
  }
}

/**
 * The `operatorScope` of a route that needs credentials but no operator scope: the service the
 * route calls decides, from the principal the gateway forwards in `sb-principal`.
 */
export const SERVICE_AUTHORIZED = 'service-authorized';

/** Turns a bearer token into a principal (the same resolver as the agents' WebSocket). */
export type ResolveToken = (token: string) => Promise<Principal>;

/**
 * One place credentials may come from. Returns undefined when the request carries none of its
 * kind (the next source is tried), the principal when they are valid, and throws
 * `E_UNAUTHORIZED` when they are present but invalid. The console's session cookie is another
 * source beside {@link bearerCredentials}.
 */
export type CredentialSource = (
  request: FastifyRequest,
  resolve: ResolveToken,
) => Promise<Principal | undefined>;

/**
 * `Authorization: Bearer <API key or JWT>`. A token in the URL is refused even beside a valid
 * header (URLs end up in logs); without a header the request has no bearer credentials.
 */
export const bearerCredentials: CredentialSource = async (request, resolve) => {
  const authorization = request.headers.authorization;
  if (authorization === undefined) return undefined;
  return resolve(extractBearerToken({ url: request.url, authorization }));
};

/** The principal of a request: the first credential source that recognizes it wins. */
export async function authenticate(
  request: FastifyRequest,
  sources: readonly CredentialSource[],
  resolve: ResolveToken,
): Promise<Principal> {
  for (const source of sources) {
    const principal = await source(request, resolve);
    if (principal !== undefined) return principal;
  }
  throw new SbError(
    'E_UNAUTHORIZED',
    'no credentials: send `Authorization: Bearer <API key or JWT>` (never in the URL)',
  );
}

/**
 * Refuses a principal without the route's operator scope (default deny: no scope, no entry). A
 * {@link SERVICE_AUTHORIZED} route lets every authenticated principal through to its service.
 */
export function authorizeRoute(
  principal: Principal,
  scope: OperatorScope | typeof SERVICE_AUTHORIZED | undefined,
): void {
  if (scope === undefined) {
    throw new SbError('E_FORBIDDEN', 'this route declares no operator scope; nobody may call it');
  }
  if (scope === SERVICE_AUTHORIZED) return;
  assertAllowed(principal, { kind: 'operator', scope });
}
