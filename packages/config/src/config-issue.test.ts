import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { describeSource, formatIssue } from './config-issue.ts';

describe('config issues', () => {
  it('name each kind of source', () => {
    expect(describeSource({ kind: 'default' })).toBe('default');
    expect(describeSource({ kind: 'file', path: './sb.yaml' })).toBe('file ./sb.yaml');
    expect(describeSource({ kind: 'env', name: 'SB_LOG__LEVEL' })).toBe('env SB_LOG__LEVEL');
    expect(describeSource({ kind: 'override' })).toBe('override');
    expect(describeSource({ kind: 'unset' })).toBe('not set');
  });

  it('show the value as JSON, big integers and undefined included', () => {
    const source = { kind: 'override' } as const;
    expect(formatIssue({ key: 'a.b', source, message: 'm', value: { n: 1n } })).toBe(
      'a.b = {"n":"1"} (override): m',
    );
    expect(formatIssue({ key: 'a', source, message: 'm', value: undefined })).toBe(
      'a = undefined (override): m',
    );
    expect(formatIssue({ key: 'a', source, message: 'm' })).toBe('a (override): m');
    expect(formatIssue({ key: '', source, message: 'whole source' })).toBe(
      'override: whole source',
    );
  });

  it('make one E_VALIDATION error with a line per issue and the issues as details', () => {
    const issue = { key: 'log.level', source: { kind: 'default' } as const, message: 'm' };
    const error = new ConfigError('Invalid configuration for state', [issue]);
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toBe('Invalid configuration for state:\n  - log.level (default): m');
    expect(error.details).toEqual({ issues: [issue] });
    expect(error.issues).toEqual([issue]);
  });
});
