import { z } from 'zod';
import { ErrorCodes } from '../errors.ts';
import { type ServiceShortName, serviceShortNames } from '../services.ts';

/**
 * What a security event reports: a credential refused (`auth_failed`), a revoked API key
 * presented (`revoked_key_used`), an action the caller's grants do not allow (`forbidden`), a
 * rate limit reached (`rate_limited`), a stored payload that did not decrypt (`decrypt_failed`),
 * and what a detector raised over the others (`alert`).
 */
export const SecurityEventKinds = [
  'auth_failed',
  'forbidden',
  'rate_limited',
  'decrypt_failed',
  'revoked_key_used',
  'alert',
] as const;

/** One of {@link SecurityEventKinds}. */
export type SecurityEventKind = (typeof SecurityEventKinds)[number];

/** What a detector raised an `alert` for (its `detail.detector`). */
export const SecurityDetectors = ['auth_failure_spike', 'key_many_ips'] as const;

/** One of {@link SecurityDetectors}. */
export type SecurityDetector = (typeof SecurityDetectors)[number];

const codes = Object.values(ErrorCodes) as [string, ...string[]];
const services = serviceShortNames as [ServiceShortName, ...ServiceShortName[]];

/**
 * `<ns>.v1.evt.security.<kind>`: one security event, published by the service where it happened
 * and stored by the gateway. Ids and short facts only: never a token, a payload or a key.
 */
export const SecurityEventSchema = z.strictObject({
  /** Given by the reporter: storing an event twice keeps one row. */
  id: z.uuid(),
  kind: z.enum(SecurityEventKinds),
  /** When it happened (ms since the epoch). */
  at: z.int().min(0),
  service: z.enum(services),
  /** The principal (`key:<id>`, `agent:<id>`, `jwt:<sub>`) when it is known. */
  principal: z.string().max(300).optional(),
  /** The credential id (API key id, JWT `sub`, `bootstrap`) when it is known. */
  credentialId: z.string().max(300).optional(),
  /** The client IP address when the event came from outside traffic. */
  ip: z.string().max(64).optional(),
  /** What was asked: an HTTP path (`/v1/keys`, `/mcp`), a subject or an RPC operation. */
  path: z.string().max(500).optional(),
  /** The error code the caller got (`E_UNAUTHORIZED`, `E_FORBIDDEN`, ...). */
  code: z.enum(codes).optional(),
  /** A short reason for a person (never a secret). */
  detail: z.string().max(1000).optional(),
  /** Short facts of the event (a detector's counts, a record name, a key id). */
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/** A security event (see {@link SecurityEventSchema}). */
export type SecurityEvent = z.infer<typeof SecurityEventSchema>;
