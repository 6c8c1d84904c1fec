import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact.ts';

describe('redactUrl', () => {
  it('hides the password of the user info', () => {
    expect(redactUrl('postgres://user:s3cret@db.example:5432/app')).toBe(
      'postgres://user:***@db.example:5432/app',
    );
  });

  it('hides a password that holds @ and : characters', () => {
    expect(redactUrl('redis://me:p@ss:w0rd@cache:6379/0')).toBe('redis://me:***@cache:6379/0');
  });

  it('hides a password when there is no user name', () => {
    expect(redactUrl('redis://:s3cret@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
  });

  it('hides the password of a multi-host URL that WHATWG URL rejects', () => {
    expect(redactUrl('postgres://u:pw@h1:5432,h2:5432/db')).toBe(
      'postgres://u:***@h1:5432,h2:5432/db',
    );
  });

  it('hides secret query parameters', () => {
    expect(redactUrl('postgres://db/app?sslmode=require&password=pw&apiKey=k&token=t#x')).toBe(
      'postgres://db/app?sslmode=require&password=***&apiKey=***&token=***#x',
    );
  });

  it('hides a password holding a raw slash or @ entirely', () => {
    expect(redactUrl('postgres://app:pa/ss@db/x')).toBe('postgres://app:***@db/x');
    expect(redactUrl('postgres://app:p@ss/w@db:5432/x?sslmode=require')).toBe(
      'postgres://app:***@db:5432/x?sslmode=require',
    );
  });

  it('leaves a URL without secrets unchanged', () => {
    for (const url of [
      'nats://127.0.0.1:4222',
      'redis://user@cache:6379',
      'https://host/a?sort=name',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('returns a string that is not a URL unchanged', () => {
    expect(redactUrl('not a url: user:pw@host')).toBe('not a url: user:pw@host');
  });
});
