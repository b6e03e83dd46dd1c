// A callback module from the config (LiteLLM's CustomLogger, in JavaScript): its `logSuccessEvent` and
// `logFailureEvent` get each payload. The module may export them by name, or a default object (or class
// instance) that has them.
import { pathToFileURL } from 'node:url';
import type { StandardLoggingPayload } from '@switchyard/core';
import type { EventEntry } from './stream-sink.ts';

export interface CustomLogger {
  logSuccessEvent?(payload: StandardLoggingPayload): unknown;
  logFailureEvent?(payload: StandardLoggingPayload): unknown;
}

export async function loadCustomLogger(path: string): Promise<CustomLogger> {
  const mod = (await import(pathToFileURL(path).href)) as CustomLogger & { default?: CustomLogger };
  const logger = mod.logSuccessEvent || mod.logFailureEvent ? mod : mod.default;
  if (
    !logger ||
    (typeof logger.logSuccessEvent !== 'function' && typeof logger.logFailureEvent !== 'function')
  ) {
    throw new Error(`callback module ${path} exports neither logSuccessEvent nor logFailureEvent`);
  }
  return logger;
}

export function moduleDeliverer(logger: CustomLogger) {
  return async (batch: EventEntry[]): Promise<void> => {
    for (const { type, payload } of batch) {
      if (type === 'success') await logger.logSuccessEvent?.(payload);
      else await logger.logFailureEvent?.(payload);
    }
  };
}
