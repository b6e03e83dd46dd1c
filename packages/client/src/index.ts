export * from './audio.ts';
export * from './batch-run.ts';
export * from './chunk-stream.ts';
export * from './client.ts';
export * from './errors.ts';
export * from './events-reader.ts';
export * from './result-waiter.ts';
export * from './stream-reader.ts';
