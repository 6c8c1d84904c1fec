import {
  brotliCompressSync,
  brotliDecompressSync,
  gunzipSync,
  gzipSync,
  constants as zlib,
} from 'node:zlib';
import type { PayloadCodec } from '@switchboard/protocol';

/** How payloads are compressed before they are stored (or sent). */
export interface CompressionSettings {
  algorithm: 'none' | 'gzip' | 'br';
  level?: number | undefined;
  thresholdBytes: number;
}

/** Bounds a decompression bomb; stored payloads are far smaller (agent payloads ≤ 512 KiB). */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;

/** The brotli quality used when none is set: 11 (zlib's default) is far too slow per record. */
const DEFAULT_BROTLI_QUALITY = 4;
/** Compresses `plain` when it reaches the threshold and compressing makes it smaller. */
export function compressPayload(
  plain: Buffer,
  settings: CompressionSettings,
): { bytes: Buffer; codec: PayloadCodec } {
  if (settings.algorithm === 'none' || plain.length < settings.thresholdBytes) {
    return { bytes: plain, codec: 'identity' };
  }
  const bytes =
    settings.algorithm === 'gzip'
      ? gzipSync(plain, { level: settings.level ?? zlib.Z_DEFAULT_COMPRESSION })
      : brotliCompressSync(plain, {
          params: {
            [zlib.BROTLI_PARAM_QUALITY]: settings.level ?? DEFAULT_BROTLI_QUALITY,
            [zlib.BROTLI_PARAM_SIZE_HINT]: plain.length,
          },
        });
  return bytes.length < plain.length
    ? { bytes, codec: settings.algorithm }
    : { bytes: plain, codec: 'identity' };
}

/**
 * Undoes {@link compressPayload}.
 * @throws Error (zlib's) on corrupt data or past {@link MAX_DECODED_BYTES}.
 */
export function decompressPayload(bytes: Buffer, codec: PayloadCodec): Buffer {
  switch (codec) {
    case 'identity':
      return bytes;
    case 'gzip':
      return gunzipSync(bytes, { maxOutputLength: MAX_DECODED_BYTES });
    case 'br':
      return brotliDecompressSync(bytes, { maxOutputLength: MAX_DECODED_BYTES });
    default: {
      const unreachable: never = codec;
      throw new Error(`unhandled codec ${String(unreachable)}`);
    }
  }
}
