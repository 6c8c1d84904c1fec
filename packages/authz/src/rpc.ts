import { defineRpc } from '@switchboard/protocol';
import { z } from 'zod';
import { PrincipalSchema } from './principal.ts';

/**
 * `<ns>.v1.gateway.auth.resolve`: the principal a bearer token (API key or JWT) stands for, roles
 * expanded. Served by the gateway for the services that take outside traffic themselves
 * (tool-registry `/mcp`, a2a-peer); an invalid token is `E_UNAUTHORIZED`.
 */
export const AuthResolveRpc = defineRpc(
  'auth.resolve',
  z.strictObject({ token: z.string().min(1).max(8192) }),
  PrincipalSchema,
);
