import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTls } from './tls.ts';

const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const dir = mkdtempSync(join(tmpdir(), 'sb-config-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveTls', () => {
  it('keeps PEM text and reads PEM files', () => {
    const keyPath = join(dir, 'key.pem');
    writeFileSync(keyPath, 'key from file');
    expect(
      resolveTls('NATS', { ca: pem, cert: pem, key: keyPath, rejectUnauthorized: false }),
    ).toEqual({
      ca: pem,
      cert: pem,
      key: 'key from file',
      rejectUnauthorized: false,
    });
  });

  it('leaves out what is not set', () => {
    expect(resolveTls('NATS', {})).toEqual({});
  });

  it('is off when not configured or disabled', () => {
    expect(resolveTls('Redis', undefined)).toBeUndefined();
    expect(resolveTls('Redis', { enabled: false, ca: pem })).toBeUndefined();
  });

  it('names the setting and path of a file that cannot be read', () => {
    const missing = join(dir, 'missing.pem');
    expect(() => resolveTls('NATS', { ca: missing })).toThrow(
      expect.objectContaining({
        code: 'E_VALIDATION',
        message: expect.stringContaining(
          `NATS TLS ca is neither PEM text nor a readable file: ${missing}`,
        ),
      }),
    );
  });
});
