import { type JsonValue, SbError, type ToolDefinition } from '@switchboard/protocol';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { type SchemaFailure, schemaFailures } from './domain/schema-errors.ts';

/** The compiled checks of one tool version. */
export interface ToolValidators {
  input: ValidateFunction;
  output: ValidateFunction | undefined;
}

/** Compiled validators kept at most (tool versions are few; a bound keeps a leak impossible). */
const MAX_COMPILED = 10_000;

/**
 * JSON Schema checks (2020-12, MCP's default dialect, or draft-07 when a schema names it) with ajv and ajv-formats: schemas are
 * checked when a tool is registered; each tool version's schemas are compiled once and reused
 * for every call.
 */
export function createSchemaValidators() {
  // strict: false: providers write schemas for many validators, with keywords ajv does not know.
  const options = { strict: false, allErrors: true } as const;
  const ajv2020 = new Ajv2020(options);
  // Many MCP servers (the v1 TypeScript SDK among them) still emit draft-07 schemas.
  const ajvDraft7 = new Ajv(options);
  addFormats(ajv2020);
  addFormats(ajvDraft7);
  const compiled = new Map<string, ToolValidators>();

  function compile(schema: Record<string, JsonValue>, which: string): ValidateFunction {
    const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
    const ajv = /draft-0[67]/.test(dialect) ? ajvDraft7 : ajv2020;
    if (!ajv.validateSchema(schema)) {
      const [first] = schemaFailures(ajv.errors ?? []);
      throw new SbError(
        'E_VALIDATION',
        `${which} is not a valid JSON Schema (2020-12): ${first?.path} ${first?.message}`,
        { details: { path: which, schemaPath: first?.path } },
      );
    }
    if (schema.type !== 'object') {
      throw new SbError(
        'E_VALIDATION',
        `${which} must describe an object ("type": "object"), as MCP requires`,
        {
          details: { path: which },
        },
      );
    }
    try {
      return ajv.compile(schema);
    } catch (error) {
      throw new SbError('E_VALIDATION', `${which} does not compile: ${(error as Error).message}`, {
        details: { path: which },
        cause: error,
      });
    }
  }

  return {
    /**
     * The compiled validators of a definition (compiled on first use).
     * @throws SbError `E_VALIDATION` when a schema is not a valid JSON Schema of an object.
     */
    of(definition: ToolDefinition, hash: string): ToolValidators {
      const key = `${definition.name}@${definition.version}#${hash}`;
      const known = compiled.get(key);
      if (known !== undefined) return known;
      const validators = {
        input: compile(definition.inputSchema, 'inputSchema'),
        output:
          definition.outputSchema === undefined
            ? undefined
            : compile(definition.outputSchema, 'outputSchema'),
      };
      if (compiled.size >= MAX_COMPILED) compiled.clear();
      compiled.set(key, validators);
      return validators;
    },
  };
}

/** The schema validators (see {@link createSchemaValidators}). */
export type SchemaValidators = ReturnType<typeof createSchemaValidators>;

/** The first failures of the last run of `validate`, paths first. */
export function failuresOf(validate: ValidateFunction): SchemaFailure[] {
  return schemaFailures(validate.errors ?? []);
}
