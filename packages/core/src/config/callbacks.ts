// LiteLLM's callback lists (`success_callback`, `failure_callback`, `callbacks`): which entries Switchyard
// runs, gathered per outcome, and one start-up warning for each entry it cannot run.
import { childPath } from './path.ts';
import type { CallbackSettings } from './types.ts';

/** Callback names Switchyard implements itself. */
const BUILT_IN = new Set(['prometheus']);

export type CallbackKey = 'success_callback' | 'failure_callback' | 'callbacks';
export const CALLBACK_KEYS: readonly CallbackKey[] = ['success_callback', 'failure_callback', 'callbacks'];

/** Whether Switchyard can run this entry. */
export function isSupportedCallback(entry: string): boolean {
  return BUILT_IN.has(entry);
}

/** Entries of every section, in section order; `callbacks` entries count for success and failure alike. */
export function readCallbacks(
  sections: readonly { name: string; data: Partial<Record<CallbackKey, string[]>> }[],
  warnings: string[],
): CallbackSettings {
  const out: CallbackSettings = { success: [], failure: [] };
  for (const { name, data } of sections) {
    for (const key of CALLBACK_KEYS) {
      (data[key] ?? []).forEach((entry, index) => {
        if (!isSupportedCallback(entry)) {
          // Services that need their own SDK (langfuse, sentry, datadog…) are named, never silently dropped.
          warnings.push(
            `${childPath(childPath(name, key), index)}: callback "${entry}" is not supported, ignored`,
          );
          return;
        }
        if (key !== 'failure_callback' && !out.success.includes(entry)) out.success.push(entry);
        if (key !== 'success_callback' && !out.failure.includes(entry)) out.failure.push(entry);
      });
    }
  }
  return out;
}

/** Prometheus metrics are on: LiteLLM's switch (`prometheus` in a callback list) or Switchyard's own. */
export function metricsEnabled(config: {
  callbacks: CallbackSettings;
  switchyard: { metrics: boolean };
}): boolean {
  return (
    config.switchyard.metrics ||
    config.callbacks.success.includes('prometheus') ||
    config.callbacks.failure.includes('prometheus')
  );
}
