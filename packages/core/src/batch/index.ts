export * from './batch-object.ts';
export * from './completion-window.ts';
export * from './input.ts';
export * from './output.ts';
export * from './types.ts';
