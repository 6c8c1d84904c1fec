import { type ErrorBody, validationError } from '../error-body.ts';
import { SbError } from '../errors.ts';
import { type ClientFrame, ClientFrameSchema, clientFrameTypes } from './client-frames.ts';

/** A frame read off the socket, or why it was refused and which frame (if any id could be read). */
export type ParsedFrame =
  | { ok: true; frame: ClientFrame }
  | { ok: false; re: string | null; error: ErrorBody };

function refuse(re: string | null, error: SbError): ParsedFrame {
  const body: ErrorBody =
    error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  return { ok: false, re, error: body };
}

function readId(value: Record<string, unknown>): string | null {
  const id = value.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : null;
}

/**
 * Reads one text frame from an agent. Never throws: malformed JSON and schema failures are
 * `E_VALIDATION`, a version the gateway does not speak `E_UNSUPPORTED_VERSION`, a type it does
 * not know `E_UNKNOWN_FRAME`; each names the frame id when one could be read.
 */
export function parseClientFrame(text: string, supportedVersions: readonly number[]): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // JSON.parse throws only SyntaxError.
    const reason = (error as SyntaxError).message;
    return refuse(null, new SbError('E_VALIDATION', `the frame is not valid JSON: ${reason}`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse(
      null,
      new SbError('E_VALIDATION', 'a frame is a JSON object with `v`, `type` and `id`'),
    );
  }
  const fields = value as Record<string, unknown>;
  const re = readId(fields);
  if (typeof fields.v === 'number' && !supportedVersions.includes(fields.v)) {
    return refuse(
      re,
      new SbError(
        'E_UNSUPPORTED_VERSION',
        `protocol version ${fields.v} is not supported; this gateway speaks ${supportedVersions.join(', ')}`,
        { details: { supported: [...supportedVersions] } },
      ),
    );
  }
  if (typeof fields.type === 'string' && !clientFrameTypes.includes(fields.type as never)) {
    return refuse(
      re,
      new SbError(
        'E_UNKNOWN_FRAME',
        `unknown frame type "${fields.type.slice(0, 64)}"; known types: ${clientFrameTypes.join(', ')}`,
      ),
    );
  }
  const parsed = ClientFrameSchema.safeParse(value);
  if (!parsed.success) {
    const what = typeof fields.type === 'string' ? `${fields.type} frame` : 'frame';
    return refuse(re, validationError(what, parsed.error));
  }
  return { ok: true, frame: parsed.data };
}
