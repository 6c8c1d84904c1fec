import { type JsonValue, SbError, type TaskType } from '@switchboard/protocol';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Checks task inputs against their type's JSON Schema (draft 2020-12; ajv with formats). Each
 * type version is compiled once and kept.
 */
export function createInputValidator() {
  const ajv = new Ajv2020({ allErrors: false, strict: false });
  addFormats.default(ajv);
  const compiled = new Map<string, ValidateFunction>();

  /**
   * Compiles a schema (checking it is one).
   * @throws SbError `E_VALIDATION` naming what is wrong with it.
   */
  function compile(schema: Record<string, unknown>): ValidateFunction {
    try {
      return ajv.compile(schema);
    } catch (error) {
      throw new SbError(
        'E_VALIDATION',
        `inputSchema is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
        { details: { path: '/inputSchema' } },
      );
    }
  }

  return {
    compile,
    /**
     * Checks `input` against the schema of `type` (anything passes a type without one).
     * @throws SbError `E_VALIDATION` with `details.path`, the failing place (JSON Pointer).
     */
    check(type: TaskType, input: JsonValue): void {
      if (type.inputSchema === null) return;
      const key = `${type.name}@${type.version}`;
      let validate = compiled.get(key);
      if (validate === undefined) {
        validate = compile(type.inputSchema);
        compiled.set(key, validate);
      }
      if (validate(input)) return;
      const [first] = validate.errors ?? [];
      const path = first?.instancePath ?? '';
      throw new SbError(
        'E_VALIDATION',
        `the input of a ${type.name} task is invalid at ${path === '' ? 'its root' : path}: ${first?.message ?? 'refused by the schema'}`,
        { details: { path, keyword: first?.keyword } },
      );
    },
  };
}

/** The input validator (see {@link createInputValidator}). */
export type InputValidator = ReturnType<typeof createInputValidator>;
