export * from './batch-runner.ts';
export * from './batch-service.ts';
export * from './errors.ts';
export * from './file-store.ts';
export * from './ids.ts';
export * from './keys.ts';
export * from './options.ts';
export * from './record-store.ts';
