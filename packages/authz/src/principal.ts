import { z } from 'zod';
import { GrantSchema } from './grant.ts';

/**
 * The prefixes of `Principal.id`, which names who acts:
 * - `agent:<agentId>`: an agent on its connection, whatever credential it connected with;
 * - `key:<keyId>`: an API key used outside an agent connection (CLI, HTTP API, console session,
 *   MCP, A2A); the bootstrap admin key is `key:bootstrap`;
 * - `jwt:<sub>`: a JWT subject used outside an agent connection.
 */
export const PrincipalIdKinds = ['agent', 'key', 'jwt'] as const;

/** One of {@link PrincipalIdKinds}. */
export type PrincipalIdKind = (typeof PrincipalIdKinds)[number];

/** Builds a principal id: `principalId('key', 'k_3f9a')` is `key:k_3f9a`. */
export function principalId(kind: PrincipalIdKind, id: string): string {
  return `${kind}:${id}`;
}

/** How the caller authenticated (DESIGN.md, Security). */
export const CredentialTypes = ['api_key', 'jwt', 'bootstrap', 'session'] as const;

/** One of {@link CredentialTypes}. */
export type CredentialType = (typeof CredentialTypes)[number];

const MAX_ID_CHARS = 256;

/** A role name: lowercase letters, digits, `_`, `-` and `.`, starting with a letter. */
export const RoleNameSchema = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_.-]*$/, 'use lowercase letters, digits, _ - and ., starting with a letter');

/**
 * Who acts and what they may do. Built by the gateway from a credential, resolved with
 * `resolvePrincipal` (roles expanded into grants) and carried in the `sb-principal` header; the
 * service that owns a resource evaluates it with `authorize`.
 */
export const PrincipalSchema = z.strictObject({
  /** Who acts, `<kind>:<id>` (see {@link PrincipalIdKinds}). */
  id: z
    .string()
    .max(MAX_ID_CHARS)
    .regex(
      new RegExp(`^(${PrincipalIdKinds.join('|')}):\\S+$`),
      `use <kind>:<id> with kind one of ${PrincipalIdKinds.join(', ')} and no whitespace`,
    ),
  /**
   * The credential it authenticated with. `id` is never a secret: the key id for `api_key`,
   * `bootstrap` for the bootstrap key, the JWT `sub` for `jwt`, and for `session` the key id of
   * the operator key the console session was issued for.
   */
  credential: z.strictObject({
    type: z.enum(CredentialTypes),
    id: z.string().min(1).max(MAX_ID_CHARS),
  }),
  /** The agent ids this credential may connect and act as; `*` means any. */
  agentIds: z.array(z.string().min(1).max(MAX_ID_CHARS)),
  /** Role names; `resolvePrincipal` expands them into `grants`. */
  roles: z.array(RoleNameSchema),
  /** What it may do; everything else is denied. */
  grants: z.array(GrantSchema),
});

/** Who acts and what they may do (see {@link PrincipalSchema}). */
export type Principal = z.infer<typeof PrincipalSchema>;
