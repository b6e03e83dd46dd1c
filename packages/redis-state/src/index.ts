export * from './keys.ts';
export * from './routing-state.ts';
export * from './types.ts';
