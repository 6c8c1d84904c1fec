import { z } from 'zod';

/** What happened to a credential. */
export const AuthChanges = ['created', 'revoked'] as const;

/** One of {@link AuthChanges}. */
export type AuthChange = (typeof AuthChanges)[number];

/**
 * `<ns>.v1.evt.auth.changed`: an API key was created or revoked (ids only, never the token or its
 * hash). Services that cache resolved principals drop the key's entry; gateways close the agent
 * connections that used a revoked key.
 */
export const AuthChangedEventSchema = z.strictObject({
  keyId: z.string().min(1).max(256),
  change: z.enum(AuthChanges),
  at: z.iso.datetime(),
});

/** The payload of `<ns>.v1.evt.auth.changed`. */
export type AuthChangedEvent = z.infer<typeof AuthChangedEventSchema>;
