export * from './events/from-config.ts';
export * from './events/outcome-events.ts';
export * from './events/payload.ts';
export * from './events/sink-queue.ts';
export * from './metrics/fleet-metrics.ts';
export * from './metrics/litellm-names.ts';
export * from './metrics/process-metrics.ts';
export * from './observation.ts';
