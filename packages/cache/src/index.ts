export { type Cache, connectRedis, type RedisSettings } from './redis-cache.ts';
