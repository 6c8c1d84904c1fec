import {
  brotliCompressSync,
  brotliDecompressSync,
  gunzipSync,
  gzipSync,
  constants as zlib,
} from 'node:zlib';
import { type PayloadCodec, PayloadCodecs, SbError } from '@switchboard/protocol';

/**
 * The most bytes a compressed payload may expand to. It bounds a decompression bomb; real
 * payloads are far smaller (agent payloads default to 512 KiB).
 */
export const maxDecodedBytes = 64 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function isPayloadCodec(value: string): value is PayloadCodec {
  return (PayloadCodecs as readonly string[]).includes(value);
}

function decompress(data: Uint8Array, codec: PayloadCodec): Uint8Array {
  switch (codec) {
    case 'identity':
      return data;
    case 'gzip':
      return gunzipSync(data, { maxOutputLength: maxDecodedBytes });
    case 'br':
      return brotliDecompressSync(data, { maxOutputLength: maxDecodedBytes });
    default: {
      const unreachable: never = codec;
      throw new Error(`unhandled codec ${String(unreachable)}`);
    }
  }
}

/** Encodes a value as UTF-8 JSON bytes (the `identity` encoding). */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** When the bus compresses a message body (the shared `payloads.compression` settings). */
export interface BusCompression {
  algorithm: 'none' | 'gzip' | 'br';
  level?: number | undefined;
  thresholdBytes: number;
}

/** Counts the bytes of the messages the bus compressed, before and after. */
export interface CompressionMetrics {
  observe(originalBytes: number, compressedBytes: number): void;
}

/** A message body as sent, and the `sb-encoding` header that says how to read it. */
export interface EncodedBody {
  data: Uint8Array;
  encoding: PayloadCodec;
}

/** Turns a value into the body of a message. */
export type BodyEncoder = (value: unknown) => EncodedBody;

/** The encoder of a bus that never compresses. */
export const identityBody: BodyEncoder = (value) => ({
  data: encodeJson(value),
  encoding: 'identity',
});

// Brotli's default quality (11) costs far more time per message than it saves on the wire.
const DEFAULT_BROTLI_QUALITY = 4;

/**
 * The body encoder for `compression`: JSON, compressed when it reaches the threshold and
 * compressing makes it smaller (then `metrics` sees the sizes). Reads `compression` at every
 * message, so a changed setting takes effect at once.
 */
export function createBodyEncoder(
  compression: () => BusCompression,
  metrics?: CompressionMetrics,
): BodyEncoder {
  return (value) => {
    const data = encodeJson(value);
    const { algorithm, level, thresholdBytes } = compression();
    if (algorithm === 'none' || data.length < thresholdBytes) return { data, encoding: 'identity' };
    const compressed =
      algorithm === 'gzip'
        ? gzipSync(data, { level: level ?? zlib.Z_DEFAULT_COMPRESSION })
        : brotliCompressSync(data, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: level ?? DEFAULT_BROTLI_QUALITY,
              [zlib.BROTLI_PARAM_SIZE_HINT]: data.length,
            },
          });
    if (compressed.length >= data.length) return { data, encoding: 'identity' };
    metrics?.observe(data.length, compressed.length);
    return { data: compressed, encoding: algorithm };
  };
}

/**
 * Decodes the bytes of a message whose `sb-encoding` header is `encoding` (absent means
 * `identity`) and parses them as JSON. Every failure is an `E_VALIDATION` naming `what`, except
 * a payload that expands past {@link maxDecodedBytes} (`E_PAYLOAD_TOO_LARGE`).
 */
export function decodeJson(data: Uint8Array, encoding: string | undefined, what: string): unknown {
  const codec = encoding === undefined || encoding === '' ? 'identity' : encoding;
  if (!isPayloadCodec(codec)) {
    throw new SbError(
      'E_VALIDATION',
      `${what} has sb-encoding '${codec}', which this service cannot read: use ${PayloadCodecs.join(', ')}`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = decompress(data, codec);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new SbError(
        'E_PAYLOAD_TOO_LARGE',
        `${what} expands past ${maxDecodedBytes} bytes once decompressed`,
        { cause: error },
      );
    }
    throw new SbError('E_VALIDATION', `${what} is not valid ${codec} data`, { cause: error });
  }
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new SbError('E_VALIDATION', `${what} is not JSON`, { cause: error });
  }
}
