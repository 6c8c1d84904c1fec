import { z } from 'zod';
import { RoleNameSchema } from './principal.ts';

/** What happened to a credential. */
export const AuthChanges = ['created', 'revoked'] as const;

/** One of {@link AuthChanges}. */
export type AuthChange = (typeof AuthChanges)[number];

/**
 * `<ns>.v1.evt.auth.changed`: an API key was created or revoked (ids only, never the token or its
 * hash), or the grants of custom role `role` changed (`role_changed`: redefined or deleted).
 * Services that cache resolved principals drop the key's entry (or those naming the role);
 * gateways close the agent connections that used a revoked key, or that hold the changed role so
 * they reconnect with its new grants.
 */
export const AuthChangedEventSchema = z.union([
  z.strictObject({
    keyId: z.string().min(1).max(256),
    change: z.enum(AuthChanges),
    at: z.iso.datetime(),
  }),
  z.strictObject({
    role: RoleNameSchema,
    change: z.literal('role_changed'),
    at: z.iso.datetime(),
  }),
]);

/** The payload of `<ns>.v1.evt.auth.changed`. */
export type AuthChangedEvent = z.infer<typeof AuthChangedEventSchema>;
