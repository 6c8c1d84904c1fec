import { randomBytes } from 'node:crypto';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  createRecordCodec,
  encodePayload,
  payloadRecord,
  type StoredPayload,
} from './payload-codec.ts';

const document = { name: 'é', n: [1, 2] };
const large = { text: 'switchboard '.repeat(500) };
const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ring = (activeKeyId?: string) => ({
  keys: new Map([
    ['k1', k1],
    ['k2', k2],
  ]),
  activeKeyId,
});
const record = payloadRecord('router.messages', '0190-a');

const plain = (bytes: Buffer, codec = 'identity', formatVersion = 1): StoredPayload => ({
  bytes,
  codec,
  keyId: null,
  nonce: null,
  formatVersion,
});

describe('payloadRecord', () => {
  it('names a record by table, id and optional column; a composite id cannot collide', () => {
    expect(payloadRecord('tasks.tasks', 'abc', 'input')).toBe('tasks.tasks:abc:input');
    expect(payloadRecord('state.documents', ['a/b', 'c', 3])).toBe('state.documents:["a/b","c",3]');
    expect(payloadRecord('state.documents', ['a', 'b/c', 3])).not.toBe(
      payloadRecord('state.documents', ['a/b', 'c', 3]),
    );
  });
});

describe('record codec without keys', () => {
  const codec = createRecordCodec();

  it('stores UTF-8 JSON in clear and reads it back', () => {
    const stored = codec.encode(encodePayload(document), record);
    expect(stored).toMatchObject({ codec: 'identity', keyId: null, nonce: null, formatVersion: 1 });
    expect(stored.bytes.toString('utf8')).toBe('{"name":"é","n":[1,2]}');
    expect(codec.decode(stored, record)).toEqual(document);
    expect(codec.activeKeyId).toBeNull();
  });

  it('reads gzip and br rows written elsewhere', () => {
    const bytes = encodePayload(document);
    expect(codec.decode(plain(gzipSync(bytes), 'gzip'), record)).toEqual(document);
    expect(codec.decode(plain(brotliCompressSync(bytes), 'br'), record)).toEqual(document);
  });

  it('refuses unknown codecs, formats, corrupt data and non-JSON with E_INTERNAL naming the record', () => {
    const bytes = encodePayload(document);
    expect(() => codec.decode(plain(bytes, 'zstd'), record)).toThrow(
      `${record} has unknown codec zstd`,
    );
    expect(() => codec.decode(plain(bytes, 'identity', 9), record)).toThrow(
      'unknown format version 9',
    );
    expect(() => codec.decode(plain(bytes, 'gzip'), record)).toThrow('is not valid gzip data');
    expect(() => codec.decode(plain(Buffer.from('{nope'), 'identity'), record)).toThrow(
      `${record} is not JSON`,
    );
  });

  it('refuses an encrypted row whose key is not loaded, naming record and key', () => {
    const encrypted = createRecordCodec(ring('k1')).encode(encodePayload(document), record);
    expect(() => codec.decode(encrypted, record)).toThrow(
      expect.objectContaining({
        code: 'E_INTERNAL',
        message: expect.stringContaining(`${record} is encrypted with payload key k1`),
        details: { record, keyId: 'k1' },
      }),
    );
  });
});

describe('record codec with encryption', () => {
  const codec = createRecordCodec(ring('k1'));

  it('encrypts with the active key and a fresh 96-bit nonce per record, and reads it back', () => {
    const bytes = encodePayload(document);
    const first = codec.encode(bytes, record);
    const second = codec.encode(bytes, record);
    expect(first.keyId).toBe('k1');
    expect(first.nonce).toHaveLength(12);
    expect(first.nonce?.equals(second.nonce as Buffer)).toBe(false);
    expect(first.bytes.equals(second.bytes)).toBe(false);
    expect(first.bytes.includes(Buffer.from('name'))).toBe(false);
    expect(codec.decode(first, record)).toEqual(document);
  });

  it('reads records of an older key after the active key changed', () => {
    const old = codec.encode(encodePayload(document), record);
    const rotated = createRecordCodec(ring('k2'));
    expect(rotated.encode(encodePayload(document), record).keyId).toBe('k2');
    expect(rotated.decode(old, record)).toEqual(document);
  });

  it('detects a ciphertext moved to another record, tampered bytes, nonce or metadata', () => {
    const stored = codec.encode(encodePayload(document), record);
    const failure =
      (changed: Partial<StoredPayload>, name = record) =>
      () =>
        codec.decode({ ...stored, ...changed }, name);
    const message = 'does not decrypt with payload key k1';
    expect(failure({}, payloadRecord('router.messages', '0190-b'))).toThrow(message);
    const flipped = Buffer.from(stored.bytes);
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(failure({ bytes: flipped })).toThrow(message);
    expect(failure({ nonce: randomBytes(12) })).toThrow(message);
    expect(failure({ nonce: null })).toThrow(message);
    expect(failure({ nonce: randomBytes(8) })).toThrow(message);
    expect(failure({ bytes: stored.bytes.subarray(0, 4) })).toThrow(message);
    expect(failure({ codec: 'gzip' })).toThrow(message);
    expect(failure({ keyId: 'k2' })).toThrow('does not decrypt with payload key k2');
  });

  it('compresses above the threshold before encrypting', () => {
    const compressed: Array<[number, number]> = [];
    const compressing = createRecordCodec(
      ring('k1'),
      { algorithm: 'br', thresholdBytes: 100 },
      (original, stored) => compressed.push([original, stored]),
    );
    const big = compressing.encode(encodePayload(large), record);
    expect(big.codec).toBe('br');
    expect(big.bytes.length).toBeLessThan(encodePayload(large).length / 10);
    expect(compressing.decode(big, record)).toEqual(large);
    expect(compressing.encode(encodePayload(document), record).codec).toBe('identity');
    // Only the compressed payload is counted, with its sizes before and after.
    expect(compressed).toHaveLength(1);
    expect(compressed[0]?.[0]).toBe(encodePayload(large).length);
    expect(compressed[0]?.[1]).toBeLessThan(encodePayload(large).length / 10);
  });

  it('refuses an active key id with no key, and keys that are not 256 bits', () => {
    expect(() => createRecordCodec({ keys: new Map(), activeKeyId: 'k9' })).toThrow(
      'activeKeyId is k9, but no key with that id is loaded',
    );
    expect(() => createRecordCodec({ keys: new Map([['short', randomBytes(16)]]) })).toThrow(
      'payload key short is 16 bytes, not 32',
    );
  });
});
