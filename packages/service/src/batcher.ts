/**
 * Group commit: items submitted while a flush runs wait and go together in the next one, so one
 * Postgres round trip carries as many items as arrived during the last (the batch grows with the
 * load and costs no added wait when idle). `flush` answers each item, in order; when it throws,
 * every item of that batch rejects with its error.
 */
export function createBatcher<In, Out>(
  flush: (items: In[]) => Promise<Out[]>,
  options: { maxBatch: () => number },
) {
  let waiting: Array<{ item: In; resolve: (out: Out) => void; reject: (error: unknown) => void }> =
    [];
  let running = 0;
  // One flush at a time keeps batches large; a second one in parallel would halve them.
  const MAX_RUNNING = 1;

  const drain = async (): Promise<void> => {
    if (running >= MAX_RUNNING || waiting.length === 0) return;
    running += 1;
    const batch = waiting.slice(0, options.maxBatch());
    waiting = waiting.slice(batch.length);
    try {
      const outs = await flush(batch.map((entry) => entry.item));
      for (const [index, entry] of batch.entries()) entry.resolve(outs[index] as Out);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      running -= 1;
      void drain();
    }
  };

  return {
    submit(item: In): Promise<Out> {
      return new Promise<Out>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        // Items that arrive in the same tick join this batch.
        if (waiting.length === 1) queueMicrotask(() => void drain());
      });
    },
    /** Items not yet flushed. */
    get pending(): number {
      return waiting.length;
    },
  };
}

/** A group-commit batcher (see {@link createBatcher}). */
export type Batcher<In, Out> = ReturnType<typeof createBatcher<In, Out>>;
