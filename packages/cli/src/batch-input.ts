// Preparing a JSONL file for `switchyard batch submit`: which endpoint it targets and, with --model,
// every line's model replaced by one group. Lines that are not JSON are left as they are: the batch
// reports them in its error file with their line numbers.
import { type BatchEndpoint, isBatchEndpoint } from '@switchyard/core';

/** The first line's `url` when it is a batch endpoint (bare paths get `/v1`), else chat completions. */
export function endpointOf(text: string): BatchEndpoint {
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    try {
      const url = (JSON.parse(raw) as { url?: unknown }).url;
      const path = typeof url === 'string' && !url.startsWith('/v1/') ? `/v1${url}` : url;
      if (isBatchEndpoint(path)) return path;
    } catch {
      // Not JSON: look at the next line.
    }
  }
  return '/v1/chat/completions';
}

export function withModel(text: string, model: string): string {
  return text
    .split('\n')
    .map((raw) => {
      if (raw.trim() === '') return raw;
      try {
        const entry = JSON.parse(raw) as { body?: unknown };
        if (!entry.body || typeof entry.body !== 'object' || Array.isArray(entry.body)) return raw;
        return JSON.stringify({ ...entry, body: { ...entry.body, model } });
      } catch {
        return raw;
      }
    })
    .join('\n');
}
