// Every translating adapter copies OpenAI's sampling parameters, max tokens and stops onto its provider's own
// field names the same way; only the names differ, so each adapter states its names and this does the copying.
import { maxTokensOf, type Obj, stopList } from './chat-parts.ts';

/** A provider's names for OpenAI's generation parameters. */
export interface GenerationNames {
  /** OpenAI key → the provider's key, for values that pass as they are. */
  renamed: Readonly<Record<string, string>>;
  /** Where `max_completion_tokens` (or else `max_tokens`) goes. */
  maxTokens: string;
  /** Where `stop`, always as a list, goes. */
  stop: string;
}

/** Writes the parameters `body` sets onto `out` under the provider's names and returns `out`. */
export function generationParams(body: Obj, names: GenerationNames, out: Obj = {}): Obj {
  for (const [from, to] of Object.entries(names.renamed)) if (body[from] !== undefined) out[to] = body[from];
  const max = maxTokensOf(body);
  if (max !== undefined) out[names.maxTokens] = max;
  const stop = stopList(body);
  if (stop) out[names.stop] = stop;
  return out;
}
