import { describe, expect, it } from 'vitest';
import { schemaFailures } from './schema-errors.ts';

describe('schemaFailures', () => {
  it('names the missing or unexpected property itself, escaped as a JSON Pointer', () => {
    expect(
      schemaFailures([
        {
          instancePath: '/user',
          keyword: 'required',
          message: "must have required property 'e/m~x'",
          params: { missingProperty: 'e/m~x' },
        },
        {
          instancePath: '',
          keyword: 'additionalProperties',
          message: 'must NOT have additional properties',
          params: { additionalProperty: 'extra' },
        },
      ]),
    ).toEqual([
      { path: '/user/e~1m~0x', message: "must have required property 'e/m~x'" },
      { path: '/extra', message: 'must NOT have additional properties' },
    ]);
  });

  it('keeps the value path of other failures; the root is /', () => {
    expect(
      schemaFailures([
        { instancePath: '/items/2', keyword: 'type', message: 'must be string', params: {} },
        { instancePath: '', keyword: 'type', params: {} },
      ]),
    ).toEqual([
      { path: '/items/2', message: 'must be string' },
      { path: '/', message: 'fails type' },
    ]);
  });
});
