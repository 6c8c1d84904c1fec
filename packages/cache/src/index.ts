export { MemoryCache } from './memory-cache.ts';
export { type Cache, connectRedis, type RedisSettings } from './redis-cache.ts';
export type { BucketLimit, TakeResult } from './token-bucket.ts';
export type { VersionedEntry } from './versioned.ts';
