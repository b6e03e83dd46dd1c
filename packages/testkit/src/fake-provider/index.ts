export { type FakeProviderPool, startFakeProviderPool } from './pool.ts';
export { startFakeProvider } from './server.ts';
export type * from './types.ts';
