// `enable_pre_call_checks` context-window check (LiteLLM §6.1): skip deployments the prompt cannot fit.
import { Buffer } from 'node:buffer';
import { isWithinTokenLimit } from 'gpt-tokenizer';
import type { Deployment, Endpoint } from '../config/types.ts';
import { ENDPOINTS } from '../contract/endpoints.ts';
import { datasetModel } from '../cost/dataset.ts';
import { SwitchyardError } from '../errors/taxonomy.ts';
import { promptText } from './prompt-text.ts';

// OpenAI's chat framing: ~3 tokens per message plus 3 to prime the reply.
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING_TOKENS = 3;
// User text may contain strings like "<|endoftext|>"; count them as text instead of throwing.
const ENCODE_OPTIONS = { disallowedSpecial: new Set<string>() };

/** `info.maxInputTokens`, else the dataset's context window for the model, else undefined (unchecked). */
export function maxInputTokens(deployment: Deployment): number | undefined {
  return deployment.info.maxInputTokens ?? datasetModel(deployment)?.contextWindow;
}

/**
 * The deployments whose input limit is at least the prompt's token count (o200k tokenizer, messages for
 * chat, prompt for completions; embeddings are not checked, as in LiteLLM). Deployments with no known
 * limit always stay. When every deployment is too small, throws ContextWindowExceededError, which sends
 * the job to `context_window_fallbacks`. Tokenizes only when the prompt's UTF-8 size could exceed the
 * smallest limit (a BPE token is at least one byte), so short prompts cost no tokenizer time.
 */
export function filterByContextWindow(
  deployments: readonly Deployment[],
  endpoint: Endpoint,
  body: unknown,
): Deployment[] {
  // Only text generation has a context window to check (LiteLLM skips embeddings too).
  if (!ENDPOINTS[endpoint].generatesText) return [...deployments];
  const limits = deployments.map(maxInputTokens);
  let smallest = Infinity;
  let largest = 0;
  for (const limit of limits) {
    if (limit === undefined) continue;
    smallest = Math.min(smallest, limit);
    largest = Math.max(largest, limit);
  }
  if (smallest === Infinity) return [...deployments];

  const prompt = promptText(endpoint, body);
  const framing = prompt.messages > 0 ? prompt.messages * TOKENS_PER_MESSAGE + REPLY_PRIMING_TOKENS : 0;
  const fixed = framing + prompt.tokenIds;
  if (Buffer.byteLength(prompt.text, 'utf8') + fixed <= smallest) return [...deployments];

  // Counting stops early past the largest limit: such a prompt fits only deployments with no known limit.
  let counted: number | false;
  try {
    counted = isWithinTokenLimit(prompt.text, Math.max(0, largest - fixed), ENCODE_OPTIONS);
  } catch {
    return [...deployments]; // LiteLLM: if counting fails, skip the check.
  }
  const tokens = counted === false ? Infinity : counted + fixed;
  const fitting = deployments.filter((_, i) => {
    const limit = limits[i];
    return limit === undefined || tokens <= limit;
  });
  if (fitting.length > 0) return fitting;
  const group = deployments[0]?.modelGroup ?? '';
  const size = counted === false ? `more than ${largest}` : String(tokens);
  throw new SwitchyardError(
    'ContextWindowExceededError',
    `prompt has ${size} tokens, more than the context window of every deployment of model group ${group} (largest ${largest} tokens)`,
  );
}
