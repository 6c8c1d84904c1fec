/** A token bucket: `capacity` tokens, refilled continuously at `refillPerSecond`. */
export interface BucketLimit {
  capacity: number;
  refillPerSecond: number;
}

/** The outcome of taking from a bucket. */
export interface TakeResult {
  allowed: boolean;
  /** Tokens left after this take (rounded down). */
  remaining: number;
  /** When refused: how long until enough tokens are back. */
  retryAfterMs: number;
  /** How long until the bucket is full again (for `RateLimit-Reset`). */
  resetMs: number;
}

/**
 * Takes `cost` tokens atomically, on Redis's own clock so replicas with skewed clocks share one
 * bucket fairly. The bucket expires once it would be full again, so idle keys vanish.
 */
export const TAKE_TOKENS = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / 1000
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then tokens = capacity; ts = now end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) / rate)
end
local reset = math.ceil((capacity - tokens) / rate)
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.max(reset, 1))
return { allowed, math.floor(tokens), retry, reset }`;

/** A bucket's state between takes: its tokens at time `ts` (ms). */
export interface BucketState {
  tokens: number;
  ts: number;
}

/**
 * The arithmetic of {@link TAKE_TOKENS} for the in-process cache: the same refill, refusal and
 * reset, on the caller's clock. Returns the bucket's new state and how long it lives (until it
 * would be full again, at least 1 ms).
 */
export function takeFromBucket(
  state: BucketState | undefined,
  limit: BucketLimit,
  cost: number,
  now: number,
): { state: BucketState; result: TakeResult; ttlMs: number } {
  const rate = limit.refillPerSecond / 1000;
  const since = state === undefined ? 0 : Math.max(0, now - state.ts);
  let tokens = Math.min(limit.capacity, (state?.tokens ?? limit.capacity) + since * rate);
  let allowed = false;
  let retryAfterMs = 0;
  if (tokens >= cost) {
    tokens -= cost;
    allowed = true;
  } else {
    retryAfterMs = Math.ceil((cost - tokens) / rate);
  }
  const resetMs = Math.ceil((limit.capacity - tokens) / rate);
  return {
    state: { tokens, ts: now },
    result: { allowed, remaining: Math.floor(tokens), retryAfterMs, resetMs },
    ttlMs: Math.max(resetMs, 1),
  };
}
