// The commands behind `switchyard …`, for embedding them in another program (the bin is main.ts).
export { runBatchCancel, runBatchResults, runBatchStatus, runBatchSubmit } from './commands/batch.ts';
export { runDemo } from './commands/demo.ts';
export { gatewayKeys, runGateway } from './commands/gateway.ts';
export { runMockProvider } from './commands/mock-provider.ts';
export { runStatus } from './commands/status.ts';
export { runWorker } from './commands/worker.ts';
export { redisTarget } from './redis-target.ts';
