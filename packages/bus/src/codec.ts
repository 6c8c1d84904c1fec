import { brotliDecompressSync, gunzipSync } from 'node:zlib';
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

/** Encodes a value as the JSON bytes the bus writes (always `identity` for now). */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
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
