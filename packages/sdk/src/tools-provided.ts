import {
  type ErrorBody,
  isSbError,
  type JsonValue,
  type ResultFrame,
  SbError,
  type ToolCallFrame,
  type ToolDefinition,
  type ToolDefinitionInput,
  ToolDefinitionSchema,
  toErrorBody,
} from '@switchboard/protocol';
import type { OutgoingFrame } from './frames.ts';
import type { SdkLogger } from './logger.ts';
import { isRetryable } from './retry-policy.ts';

/** What a tool handler learns about the call it runs. */
export interface ToolCallContext {
  callId: string;
  name: string;
  version: string;
  /** When the registry stops waiting: a result after it is dropped. */
  deadline: Date;
  /** Aborted at the deadline. */
  signal: AbortSignal;
}

/**
 * Runs one call of a provided tool: resolves with the result (JSON), or throws. An `SbError`
 * reaches the caller with its code; anything else as `E_INTERNAL` with its message.
 */
export type ToolHandler = (
  args: Record<string, JsonValue>,
  context: ToolCallContext,
) => Promise<JsonValue> | JsonValue;

const keyOf = (name: string, version: string) => `${name}@${version}`;

/**
 * The tools this client provides and their handlers. Registration lives in the registry, but a
 * provider is reachable only while connected, so the client registers them again on every new
 * connection and answers the `tool.call` frames the gateway writes to it.
 */
export class ProvidedTools {
  private readonly tools = new Map<string, { definition: ToolDefinition; handler: ToolHandler }>();

  /** Parses `definition` (`E_VALIDATION` when malformed) and remembers its handler. */
  add(input: ToolDefinitionInput, handler: ToolHandler): ToolDefinition {
    const parsed = ToolDefinitionSchema.safeParse(input);
    if (!parsed.success) {
      throw new SbError(
        'E_VALIDATION',
        `the tool definition is malformed: ${parsed.error.message}`,
      );
    }
    this.tools.set(keyOf(parsed.data.name, parsed.data.version), {
      definition: parsed.data,
      handler,
    });
    return parsed.data;
  }

  /** Forgets a tool whose registration the registry refused. */
  delete(definition: ToolDefinition): void {
    this.tools.delete(keyOf(definition.name, definition.version));
  }

  /**
   * Registers every provided tool again over a new connection. A refusal (e.g. `E_CONFLICT`) is
   * logged and the tools are forgotten; a failure of the connection keeps them. Never throws.
   */
  async restore(
    request: (frame: OutgoingFrame) => Promise<ResultFrame>,
    log: SdkLogger,
  ): Promise<void> {
    const definitions = [...this.tools.values()].map((tool) => tool.definition);
    if (definitions.length === 0) return;
    try {
      await request({ type: 'tools.register', tools: definitions });
    } catch (error) {
      const failure = isSbError(error)
        ? error
        : new SbError('E_INTERNAL', 'registering the provided tools again failed', {
            cause: error,
          });
      const lost = !isRetryable(failure);
      if (lost) this.tools.clear();
      log.warn({ err: failure, forgotten: lost }, 'could not register the provided tools again');
    }
  }

  /** Runs the handler a `tool.call` names and sends its `tool.result` with `answer`. */
  async run(frame: ToolCallFrame, answer: (frame: OutgoingFrame) => void): Promise<void> {
    const tool = this.tools.get(keyOf(frame.name, frame.version));
    const deadline = new Date(frame.deadline);
    const signal = AbortSignal.timeout(Math.max(0, deadline.getTime() - Date.now()));
    let outcome: { result: JsonValue } | { error: ErrorBody };
    try {
      if (tool === undefined) {
        throw new SbError(
          'E_NOT_FOUND',
          `this agent does not provide tool ${frame.name}@${frame.version}`,
        );
      }
      const result = await tool.handler(frame.arguments, {
        callId: frame.callId,
        name: frame.name,
        version: frame.version,
        deadline,
        signal,
      });
      outcome = { result: result ?? null };
    } catch (error) {
      outcome = { error: errorBodyOf(frame, error) };
    }
    // Past the deadline the caller is told E_TIMEOUT whatever the handler did after its abort:
    // an answer racing the registry's own timeout must not turn a timed-out call into a success.
    if (signal.aborted) outcome = { error: errorBodyOf(frame, deadlinePassed(frame)) };
    answer({ type: 'tool.result', callId: frame.callId, ...outcome });
  }
}

function deadlinePassed(frame: ToolCallFrame): SbError {
  return new SbError(
    'E_TIMEOUT',
    `tool ${frame.name}@${frame.version} ran past the call's deadline (${frame.deadline})`,
  );
}

function errorBodyOf(frame: ToolCallFrame, error: unknown) {
  if (isSbError(error)) return toErrorBody(error);
  const reason = error instanceof Error ? error.message : String(error);
  return { code: 'E_INTERNAL' as const, message: `tool ${frame.name} failed: ${reason}` };
}
