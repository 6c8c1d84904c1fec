/** What `tail` needs of a message: its id and when the router accepted it. */
export interface Accepted {
  id: string;
  acceptedAt: string;
}

/**
 * Where a tail stands: the newest acceptedAt it has seen (the `since` of its next poll) and the
 * ids it has seen in that same millisecond, which the next poll returns again (`since` includes
 * its own time, so nothing accepted later in that millisecond is missed).
 */
export interface TailPosition {
  since: string | undefined;
  seenAtSince: ReadonlySet<string>;
}

/** A tail that starts at `since` (every message from then on is new), or at the beginning. */
export function tailFrom(since?: string): TailPosition {
  return { since, seenAtSince: new Set() };
}

/**
 * Takes one poll's messages (every page of it, newest first) and returns those not seen before,
 * oldest first, with the position of the next poll. A message seen twice in one poll (pages that
 * shifted while they were read) counts once.
 */
export function advanceTail<T extends Accepted>(
  position: TailPosition,
  newestFirst: readonly T[],
): { fresh: T[]; position: TailPosition } {
  const previousMs =
    position.since === undefined ? Number.NEGATIVE_INFINITY : Date.parse(position.since);
  let newestMs = previousMs;
  let since = position.since;
  const seen = new Set<string>();
  const fresh: T[] = [];
  for (const message of newestFirst) {
    const acceptedMs = Date.parse(message.acceptedAt);
    if (acceptedMs > newestMs) {
      newestMs = acceptedMs;
      since = message.acceptedAt;
    }
    if (seen.has(message.id) || position.seenAtSince.has(message.id)) continue;
    seen.add(message.id);
    fresh.push(message);
  }
  const atNewest = newestFirst
    .filter((message) => Date.parse(message.acceptedAt) === newestMs)
    .map((message) => message.id);
  const carried = newestMs === previousMs ? [...position.seenAtSince] : [];
  return {
    fresh: fresh.reverse(),
    position: { since, seenAtSince: new Set([...carried, ...atNewest]) },
  };
}
