export * from './fake-provider/index.ts';
export * from './local-stack.ts';
export * from './otlp-collector.ts';
export * from './redis.ts';
export * from './redis-cluster.ts';
export * from './worker-pool.ts';
