import { describe, expect, it } from 'vitest';
import { REDACTED, redactUrl } from './redact.ts';
import { routerConfig } from './test-fixtures.ts';

const { redact } = routerConfig;

describe('redaction', () => {
  it('replaces the password of a URL and password-like query parameters', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
    expect(redactUrl('redis://:s3cret@cache:6379')).toBe('redis://:***@cache:6379');
    expect(redactUrl('postgres://db/x?sslpassword=a&user=b&token=c')).toBe(
      'postgres://db/x?sslpassword=***&user=b&token=***',
    );
    expect(redactUrl('postgres://app:pa/ss@db/x')).toBe('postgres://app:***@db/x');
    expect(redactUrl('postgres://db:5432/x')).toBe('postgres://db:5432/x');
    expect(redactUrl('not a url s3cret')).toBe(REDACTED);
  });

  it('hides shared and declared secrets, and the password in secret URLs', () => {
    expect(redact(['nats', 'pass'], 'pw')).toBe(REDACTED);
    expect(redact(['nats', 'token'], 'tk')).toBe(REDACTED);
    expect(redact(['redis', 'tls', 'key'], 'PEM')).toBe(REDACTED);
    expect(redact(['router', 'signingKey'], 'k')).toBe(REDACTED);
    expect(redact(['postgres', 'url'], 'postgres://u:p@h/db')).toBe('postgres://u:***@h/db');
    expect(redact(['nats', 'servers'], ['nats://u:p@a:4222', 'nats://b:4222'])).toEqual([
      'nats://u:***@a:4222',
      'nats://b:4222',
    ]);
    expect(redact(['redis', 'url'], 42)).toBe(REDACTED);
  });

  it('hides secrets inside sections and lists given whole', () => {
    expect(redact(['nats'], { user: 'u', pass: 'pw', tls: { key: 'PEM', ca: 'ca.pem' } })).toEqual({
      user: 'u',
      pass: REDACTED,
      tls: { key: REDACTED, ca: 'ca.pem' },
    });
    expect(redact([], { postgres: { url: 'postgres://u:p@h/db' } })).toEqual({
      postgres: { url: 'postgres://u:***@h/db' },
    });
    expect(redact(['router', 'topics'], ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('hides a broken value given for a section that holds secrets, and shows other values', () => {
    expect(redact(['nats'], '{"pass":"pw",}')).toBe(REDACTED);
    expect(redact(['log'], 'oops')).toBe('oops');
    expect(redact(['log', 'level'], 'loud')).toBe('loud');
    expect(redact(['nats', 'passs'], 'typo')).toBe('typo');
    expect(redact(['nats', 'pass'], undefined)).toBeUndefined();
    expect(redact(['nats', 'pass'], null)).toBeNull();
  });
});
