export * from './metrics/fleet-metrics.ts';
export * from './metrics/litellm-names.ts';
export * from './metrics/process-metrics.ts';
export * from './observation.ts';
