import { brotliCompressSync, gzipSync } from 'node:zlib';
import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson, maxDecodedBytes } from './codec.ts';

const value = { hello: 'wörld', n: [1, 2, 3] };
const json = encodeJson(value);

function errorOf(run: () => unknown): SbError {
  try {
    run();
  } catch (error) {
    if (error instanceof SbError) return error;
    throw error;
  }
  throw new Error('expected an SbError');
}

describe('decodeJson', () => {
  it('reads identity JSON, with or without the header', () => {
    expect(decodeJson(json, undefined, 'x')).toEqual(value);
    expect(decodeJson(json, '', 'x')).toEqual(value);
    expect(decodeJson(json, 'identity', 'x')).toEqual(value);
  });

  it('reads gzip and brotli payloads', () => {
    expect(decodeJson(gzipSync(json), 'gzip', 'x')).toEqual(value);
    expect(decodeJson(brotliCompressSync(json), 'br', 'x')).toEqual(value);
  });

  it('refuses an unknown encoding naming the supported ones', () => {
    const error = errorOf(() => decodeJson(json, 'zstd', 'request to a.b'));
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toBe(
      "request to a.b has sb-encoding 'zstd', which this service cannot read: use identity, gzip, br",
    );
  });

  it('refuses bytes that are not the named codec', () => {
    const error = errorOf(() => decodeJson(json, 'gzip', 'request to a.b'));
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toBe('request to a.b is not valid gzip data');
  });

  it('refuses bytes that are not JSON or not UTF-8', () => {
    expect(
      errorOf(() => decodeJson(new TextEncoder().encode('{nope'), undefined, 'x')).message,
    ).toBe('x is not JSON');
    expect(errorOf(() => decodeJson(new Uint8Array([0xff, 0xfe]), undefined, 'x')).code).toBe(
      'E_VALIDATION',
    );
  });

  it('refuses a payload that expands past the limit', () => {
    const bomb = gzipSync(Buffer.alloc(maxDecodedBytes + 1));
    const error = errorOf(() => decodeJson(bomb, 'gzip', 'x'));
    expect(error.code).toBe('E_PAYLOAD_TOO_LARGE');
  });
});
