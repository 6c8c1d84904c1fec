import { describe, expect, it } from 'vitest';
import { schemaProblems } from './k8s-schemas.ts';

describe('schemaProblems', () => {
  const service = (ports: unknown) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'gateway' },
    spec: { ports },
  });

  it('accepts an object that matches the schema of its kind', () => {
    expect(schemaProblems(service([{ name: 'http', port: 7700 }]))).toEqual([]);
  });

  it('names the object and the field that does not match', () => {
    const [problem] = schemaProblems(service([{ name: 'http', port: '7700' }]));
    expect(problem).toContain('Service gateway');
    expect(problem).toContain('port');
  });

  it('refuses a kind the deployment files are not expected to hold', () => {
    expect(
      schemaProblems({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' } }),
    ).toEqual(['Secret creds: no schema for v1/Secret']);
  });
});
