/**
 * Runs a bounded delete again while it comes back full, so one sweep keeps up with a backlog
 * larger than a batch (one batch per interval would cap retention at `limit` rows an interval:
 * 1,000 a minute by default, far below what a busy mesh writes). Each batch commits on its own;
 * `stopping` ends the loop between batches. Answers the rows deleted in all.
 */
export async function sweepInBatches(
  deleteBatch: () => Promise<number>,
  limit: number,
  stopping: () => boolean = () => false,
): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < limit || stopping()) return total;
  }
}
