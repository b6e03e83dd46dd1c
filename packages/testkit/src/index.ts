export * from './fake-provider/index.ts';
export * from './redis.ts';
export * from './worker-pool.ts';
