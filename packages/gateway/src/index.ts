export * from './gateway.ts';
export * from './openai-error.ts';
export * from './server.ts';
