import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePayload } from './payload-codec.ts';
import { compressPayload, decompressPayload } from './payload-compression.ts';

const large = { text: 'switchboard '.repeat(500) };

describe('compression', () => {
  const bytes = encodePayload(large);

  it('compresses with gzip or br at a level, only from the threshold on', () => {
    for (const algorithm of ['gzip', 'br'] as const) {
      const compressed = compressPayload(bytes, { algorithm, level: 1, thresholdBytes: 10 });
      expect(compressed.codec).toBe(algorithm);
      expect(decompressPayload(compressed.bytes, algorithm).equals(bytes)).toBe(true);
    }
    expect(compressPayload(bytes, { algorithm: 'gzip', thresholdBytes: bytes.length + 1 })).toEqual(
      { bytes, codec: 'identity' },
    );
    expect(compressPayload(bytes, { algorithm: 'none', thresholdBytes: 0 }).codec).toBe('identity');
  });

  it('keeps a payload as it is when compressing does not make it smaller', () => {
    const noise = randomBytes(2000);
    expect(compressPayload(noise, { algorithm: 'gzip', thresholdBytes: 0 })).toEqual({
      bytes: noise,
      codec: 'identity',
    });
  });

  it('refuses to decompress a codec it does not know', () => {
    expect(() => decompressPayload(Buffer.from('x'), 'zstd' as never)).toThrow(
      'unhandled codec zstd',
    );
  });

  it('stops a decompression bomb', () => {
    const bomb = gzipSync(Buffer.alloc(65 * 1024 * 1024));
    expect(() => decompressPayload(bomb, 'gzip')).toThrow();
  });
});
