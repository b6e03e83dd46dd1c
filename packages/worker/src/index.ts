export * from './deployment-router.ts';
export * from './fetch-watchdog.ts';
export * from './job-data.ts';
export * from './job-state.ts';
export * from './logger.ts';
export * from './processor.ts';
export * from './redis-connection.ts';
export * from './worker-process.ts';
