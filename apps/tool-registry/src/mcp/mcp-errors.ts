import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { type ErrorCode, isSbError, toErrorBody } from '@switchboard/protocol';

/**
 * The JSON-RPC error code of each mesh error when it is an MCP protocol error. Application
 * codes are in the implementation-defined range (-32000 to -32099); the `data` of the error
 * carries the mesh code itself.
 */
const jsonRpcCodeByCode: Record<ErrorCode, number> = {
  E_VALIDATION: ProtocolErrorCode.InvalidParams,
  E_UNAUTHORIZED: -32001,
  E_FORBIDDEN: -32003,
  E_NOT_FOUND: ProtocolErrorCode.InvalidParams,
  E_CONFLICT: -32009,
  E_RATE_LIMITED: -32029,
  E_PAYLOAD_TOO_LARGE: -32013,
  E_UNAVAILABLE: -32050,
  E_TIMEOUT: -32054,
  E_INTERNAL: ProtocolErrorCode.InternalError,
  E_UNSUPPORTED_VERSION: ProtocolErrorCode.InvalidRequest,
  E_UNKNOWN_FRAME: ProtocolErrorCode.InvalidRequest,
  E_INVALID_TRANSITION: -32009,
  E_ENCRYPTION_REQUIRED: -32003,
  E_DECRYPT_FAILED: ProtocolErrorCode.InvalidParams,
};

/** The JSON-RPC error object of a mesh error (`data.code` names the mesh code). */
export function jsonRpcErrorOf(error: unknown): { code: number; message: string; data: unknown } {
  const body = toErrorBody(error);
  return { code: jsonRpcCodeByCode[body.code], message: body.message, data: body };
}

/** The MCP protocol error of a mesh error, for a handler to throw. */
export function protocolErrorOf(error: unknown): ProtocolError {
  const { code, message, data } = jsonRpcErrorOf(error);
  return new ProtocolError(code, message, data);
}

// Refusals before a call reaches a tool are protocol errors; what happens once it runs (bad
// arguments included, so that a model can correct them) is a tool result with `isError`, as the
// MCP specification asks.
const protocolCodes = new Set<ErrorCode>([
  'E_NOT_FOUND',
  'E_FORBIDDEN',
  'E_UNAUTHORIZED',
  'E_RATE_LIMITED',
]);

/** True when a failed `tools/call` answers with a JSON-RPC error rather than an `isError` result. */
export function isProtocolFailure(error: unknown): boolean {
  return isSbError(error) && protocolCodes.has(error.code);
}

/** The `isError` result of a failed tool call: `<code>: <message>` as text. */
export function toolErrorResult(error: unknown) {
  const body = toErrorBody(error);
  return {
    isError: true,
    content: [{ type: 'text' as const, text: `${body.code}: ${body.message}` }],
  };
}
