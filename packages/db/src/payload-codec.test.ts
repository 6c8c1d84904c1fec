import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload } from './payload-codec.ts';

const stored = (
  bytes: Buffer,
  codec = 'identity',
  keyId: string | null = null,
  formatVersion = 1,
) => ({
  bytes,
  codec,
  keyId,
  formatVersion,
});

describe('payload codec', () => {
  const document = { name: 'é', n: [1, 2] };

  it('round-trips a document as UTF-8 JSON', () => {
    const bytes = encodePayload(document);
    expect(bytes.toString('utf8')).toBe('{"name":"é","n":[1,2]}');
    expect(decodePayload(stored(bytes))).toEqual(document);
  });

  it('loads gzip and br documents', () => {
    const bytes = encodePayload(document);
    expect(decodePayload(stored(gzipSync(bytes), 'gzip'))).toEqual(document);
    expect(decodePayload(stored(brotliCompressSync(bytes), 'br'))).toEqual(document);
  });

  it('refuses encrypted rows, unknown codecs and unknown formats with E_INTERNAL', () => {
    const bytes = encodePayload(document);
    expect(() => decodePayload(stored(bytes, 'identity', 'k1'))).toThrow('encrypted with key k1');
    expect(() => decodePayload(stored(bytes, 'zstd'))).toThrow('unknown codec zstd');
    expect(() => decodePayload(stored(bytes, 'identity', null, 9))).toThrow(
      'unknown format version 9',
    );
  });
});
