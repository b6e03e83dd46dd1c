export * from './batch-run.ts';
export * from './client.ts';
export * from './errors.ts';
export * from './events-reader.ts';
export * from './result-waiter.ts';
