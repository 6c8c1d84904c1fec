/**
 * A cache entry that carries the version of what it holds, so writers and readers on several
 * replicas can race without leaving an old value behind. Stored as `{ v, d }` (a value at
 * version v) or `{ v, f: true }` (a fence: "the value is at least at version v; read the
 * source"). A write sets a fence at its new version before it answers; a reader that loaded an
 * older version from the source before that write can no longer store it.
 */
export const SET_VERSIONED = `
local current = redis.call('GET', KEYS[1])
local incoming = tonumber(ARGV[2])
if current then
  local ok, entry = pcall(cjson.decode, current)
  if ok and type(entry) == 'table' and tonumber(entry.v) then
    local held = tonumber(entry.v)
    if ARGV[4] == '1' then
      if held >= incoming then return 0 end
    elseif entry.f then
      if incoming < held then return 0 end
    elseif incoming <= held then
      return 0
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/** What a versioned key holds. */
export type VersionedEntry =
  | { kind: 'value'; version: number; value: unknown }
  | { kind: 'fence'; version: number };

/** Reads the stored form of a versioned entry; undefined for anything else. */
export function parseVersioned(raw: unknown): VersionedEntry | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const entry = raw as { v?: unknown; d?: unknown; f?: unknown };
  if (typeof entry.v !== 'number') return undefined;
  if (entry.f === true) return { kind: 'fence', version: entry.v };
  return 'd' in entry ? { kind: 'value', version: entry.v, value: entry.d } : undefined;
}

/**
 * The decision of {@link SET_VERSIONED} for the in-process cache: whether a write of `incoming`
 * (a value, or a fence when `fence`) may replace what the key holds (its stored JSON, parsed).
 */
export function versionedWriteAllowed(current: unknown, incoming: number, fence: boolean): boolean {
  if (typeof current !== 'object' || current === null) return true;
  const entry = current as { v?: unknown; f?: unknown };
  if (typeof entry.v !== 'number') return true;
  const held = entry.v;
  if (fence) return held < incoming;
  if (entry.f === true) return incoming >= held;
  return incoming > held;
}
