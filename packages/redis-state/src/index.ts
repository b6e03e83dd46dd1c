export * from './connect.ts';
export * from './event-stream.ts';
export * from './health-store.ts';
export * from './keys.ts';
export * from './model-list-store.ts';
export * from './routing-state.ts';
export { type RedisClient, scriptSource } from './script-loader.ts';
export * from './types.ts';
export * from './usage-store.ts';
