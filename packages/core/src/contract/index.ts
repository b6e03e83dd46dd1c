// Everything that crosses the queue, declared once: workers, client SDK, gateway and CLI import it.
export * from './defaults.ts';
export * from './endpoints.ts';
export * from './enqueue-span.ts';
export * from './events.ts';
export * from './failure.ts';
export * from './job-names.ts';
export * from './job-state.ts';
export * from './metadata.ts';
export * from './queue-shards.ts';
export * from './result.ts';
export * from './stream.ts';
export * from './trace-context.ts';
