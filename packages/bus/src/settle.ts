/**
 * Waits until every promise in `pending` settles (including ones added while waiting), or until
 * `deadlineMs` passes, whichever comes first; settled promises leave the set. Never rejects and
 * leaves no timer behind.
 */
export async function settleWithin(
  pending: Set<Promise<unknown>>,
  deadlineMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, deadlineMs);
  });
  const drained = (async () => {
    while (pending.size > 0) {
      const batch = [...pending];
      await Promise.allSettled(batch);
      for (const settled of batch) pending.delete(settled);
    }
  })();
  try {
    await Promise.race([drained, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
