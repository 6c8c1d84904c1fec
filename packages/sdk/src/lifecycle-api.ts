import {
  type LifecycleRecord,
  LifecycleRecordSchema,
  type LifecycleStatus,
} from '@switchboard/protocol';
import { requestResult, type SendRequest } from './request-result.ts';

/**
 * The agent's own lifecycle in the state service. The gateway moves it to `starting` on
 * connect and to `stopping`/`stopped` on disconnect; the agent reports the rest (`idle`,
 * `busy`, `error`). An illegal move rejects with `E_INVALID_TRANSITION`.
 */
export interface LifecycleApi {
  /** Moves the agent to `status`; resolves with the new record. */
  report(status: LifecycleStatus, reason?: string): Promise<LifecycleRecord>;
  /** The agent's current status and its version. */
  get(): Promise<LifecycleRecord>;
}

/** The lifecycle calls over `send`. */
export function createLifecycleApi(send: SendRequest): LifecycleApi {
  return {
    report: (status, reason) =>
      requestResult(
        send,
        { type: 'lifecycle.transition', to: status, ...(reason === undefined ? {} : { reason }) },
        LifecycleRecordSchema,
      ),
    get: () => requestResult(send, { type: 'lifecycle.get' }, LifecycleRecordSchema),
  };
}
