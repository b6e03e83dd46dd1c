// A webhook (LiteLLM's `generic_api`, or a URL in a callback list): each batch is one JSON POST of an array
// of payloads, retried with backoff on network errors and 5xx/429; a batch that still fails is dropped.
import { setTimeout as delay } from 'node:timers/promises';
import type { EventEntry } from './stream-sink.ts';

export interface WebhookOptions {
  url: string;
  headers?: Record<string, string>;
  /** Attempts per batch. @defaultValue 3 */
  attempts?: number;
  /** Per POST. @defaultValue 5000 */
  timeoutMs?: number;
  /** First retry delay, doubled each time. @defaultValue 200 */
  backoffMs?: number;
}

export function webhookDeliverer(opts: WebhookOptions) {
  const attempts = opts.attempts ?? 3;
  return async (batch: EventEntry[]): Promise<void> => {
    const body = JSON.stringify(batch.map((e) => e.payload));
    let last = '';
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await delay((opts.backoffMs ?? 200) * 2 ** (i - 1));
      try {
        const res = await fetch(opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...opts.headers },
          body,
          signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
        });
        await res.body?.cancel();
        if (res.ok) return;
        last = `HTTP ${res.status}`;
        // A refusal (400, 401, 404…) will not change on retry.
        if (res.status < 500 && res.status !== 429) break;
      } catch (err) {
        last = (err as Error).message;
      }
    }
    throw new Error(`webhook POST failed: ${last}`);
  };
}
