import type { Logger } from '@switchboard/logger';
import { type ErrorBody, isSbError, toErrorBody } from '@switchboard/protocol';

/** One item's answer in a batch reply (see `batchRpcOf`). */
export type ItemAnswer<Out> = { ok: true; result: Out } | { ok: false; error: ErrorBody };

/**
 * Serves a batch request (`batchRpcOf`): runs `handler` for every item at once and answers each
 * with its result or its own error, in order, so one failing item fails only itself. An error
 * that is not an `SbError` is a bug: logged in full and answered `E_INTERNAL`, as the bus does.
 */
export async function answerEach<In, Out>(
  items: readonly In[],
  handler: (item: In) => Promise<Out>,
  log: Pick<Logger, 'error'>,
): Promise<{ results: Array<ItemAnswer<Out>> }> {
  const settled = await Promise.allSettled(items.map((item) => handler(item)));
  return {
    results: settled.map((outcome): ItemAnswer<Out> => {
      if (outcome.status === 'fulfilled') return { ok: true, result: outcome.value };
      if (!isSbError(outcome.reason)) log.error({ err: outcome.reason }, 'a batch item failed');
      return { ok: false, error: toErrorBody(outcome.reason) };
    }),
  };
}
