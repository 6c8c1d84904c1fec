/** NATS header names every hop reads and writes (DESIGN.md, Subjects). */
export const Headers = {
  traceparent: 'traceparent',
  principal: 'sb-principal',
  encoding: 'sb-encoding',
} as const;

/** Payload codecs named in `sb-encoding` and in the `codec` column of stored payloads. */
export const PayloadCodecs = ['identity', 'gzip', 'br'] as const;
export type PayloadCodec = (typeof PayloadCodecs)[number];
