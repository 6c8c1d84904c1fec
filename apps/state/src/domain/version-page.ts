/**
 * A page of history read newest first, `limit` rows at most: the cursor of the next page is the
 * last version returned, and there is none when the page came back short.
 */
export function versionPage<T extends { version: number }>(
  items: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const last = items.at(-1);
  return {
    items,
    nextCursor: items.length === limit && last !== undefined ? String(last.version) : null,
  };
}
