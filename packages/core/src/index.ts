export * from './errors/taxonomy.ts';
export * from './config/types.ts';
export * from './strategies/types.ts';
