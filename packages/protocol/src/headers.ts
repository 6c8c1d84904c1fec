/** NATS header names every hop reads and writes (DESIGN.md, Subjects). */
export const Headers = {
  traceparent: 'traceparent',
  principal: 'sb-principal',
  /** The signature of `sb-principal`: `<keyId>:<expiresAtMs>:<base64url Ed25519 signature>`. */
  principalSignature: 'sb-principal-sig',
  encoding: 'sb-encoding',
} as const;

/** Payload codecs named in `sb-encoding` and in the `codec` column of stored payloads. */
export const PayloadCodecs = ['identity', 'gzip', 'br'] as const;
export type PayloadCodec = (typeof PayloadCodecs)[number];
