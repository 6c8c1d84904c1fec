import {
  ExtensionSupportRequiredError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import { isSbError } from '@switchboard/protocol';

/**
 * The spec's error for one of ours (messages kept: they say what to do); the SDK's handlers turn
 * it into the binding's error code. Anything that is not an `SbError` passes through unchanged.
 */
export function toA2aError(error: unknown): unknown {
  if (!isSbError(error)) return error;
  switch (error.code) {
    case 'E_NOT_FOUND':
      return new TaskNotFoundError(error.message);
    case 'E_CONFLICT':
      return (error.details as { reason?: string } | undefined)?.reason === 'not_cancelable'
        ? new TaskNotCancelableError(error.message)
        : new UnsupportedOperationError(error.message);
    case 'E_VALIDATION':
    case 'E_PAYLOAD_TOO_LARGE':
      return new RequestMalformedError(error.message);
    // The code leads the message: the caller's peer acts on it (it gives up, it does not retry).
    case 'E_ENCRYPTION_REQUIRED':
      return new ExtensionSupportRequiredError(`${error.code}: ${error.message}`);
    case 'E_DECRYPT_FAILED':
      return new RequestMalformedError(`${error.code}: ${error.message}`);
    default:
      return new Error(`${error.code}: ${error.message}`);
  }
}
