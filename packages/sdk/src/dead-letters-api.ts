import {
  type DeadLetter,
  DeadLetterSchema,
  DeliveryIdSchema,
  DlqListRpc,
  DlqPurgeRpc,
  DlqReplayRpc,
  validationError,
} from '@switchboard/protocol';
import { requestResult, type SendRequest } from './request-result.ts';

/** A page of dead letters, newest first; `nextCursor` continues it (null: no more). */
export interface DeadLetterPage {
  items: DeadLetter[];
  nextCursor: string | null;
}

/** A page's options: how many (default 50, at most 500) and where the last page ended. */
export interface DeadLetterListOptions {
  limit?: number;
  cursor?: string;
}

/** Which dead letters a replay or purge acts on: listed ids, or all of this agent's. */
export type DeadLetterSelection = { ids: string[] } | { all: true };

/**
 * This agent's dead letters: deliveries that ran out of attempts. Calls
 * reject with the gateway's `SbError` (`E_NOT_FOUND`, `E_VALIDATION`, `E_UNAVAILABLE`, ...).
 */
export interface DeadLettersApi {
  /** Lists dead letters, newest first. */
  list(options?: DeadLetterListOptions): Promise<DeadLetterPage>;
  /** One dead letter with its message. */
  get(id: string): Promise<DeadLetter>;
  /**
   * Queues the selected dead letters again as fresh deliveries (attempts from zero, same
   * message id: a handler that handled it after all gets no second call).
   */
  replay(selection: DeadLetterSelection): Promise<{ replayed: number }>;
  /** Deletes the selected dead letters for good. */
  purge(selection: DeadLetterSelection): Promise<{ purged: number }>;
}

function ids(selection: DeadLetterSelection): { ids?: string[] } {
  return 'ids' in selection ? { ids: selection.ids } : {};
}

function isEmpty(selection: DeadLetterSelection): boolean {
  return 'ids' in selection && selection.ids.length === 0;
}

/** The dead-letter calls over `send`. */
export function createDeadLettersApi(send: SendRequest): DeadLettersApi {
  const get = (id: string): Promise<DeadLetter> => {
    const checked = DeliveryIdSchema.safeParse(id);
    if (!checked.success) return Promise.reject(validationError('dead letter id', checked.error));
    return requestResult(send, { type: 'dlq.get', deliveryId: id }, DeadLetterSchema);
  };
  return {
    list: (options = {}) =>
      requestResult(
        send,
        {
          type: 'dlq.list',
          ...(options.limit === undefined ? {} : { limit: options.limit }),
          ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
        },
        DlqListRpc.response,
      ),
    get,
    // An empty list selects nothing: answered here, since the frame refuses `ids: []`.
    replay: async (selection) =>
      isEmpty(selection)
        ? { replayed: 0 }
        : requestResult(send, { type: 'dlq.replay', ...ids(selection) }, DlqReplayRpc.response),
    purge: async (selection) =>
      isEmpty(selection)
        ? { purged: 0 }
        : requestResult(send, { type: 'dlq.purge', ...ids(selection) }, DlqPurgeRpc.response),
  };
}
