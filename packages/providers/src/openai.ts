// OpenAI and any OpenAI-compatible server: `{apiBase}/chat/completions`, bearer auth (omitted without a key).
import type { ProviderAdapter } from './adapter.ts';
import { type AdapterEnv, bearerHeaders } from './exchange.ts';
import { createOpenAICompatibleAdapter, ENDPOINT_PATH, type OpenAIDialect } from './openai-compatible.ts';

export const openAIDialect: OpenAIDialect = {
  kind: 'openai',
  url: (d, endpoint) => `${d.apiBase.replace(/\/+$/, '')}${ENDPOINT_PATH[endpoint]}`,
  authHeaders: bearerHeaders,
};

export function createOpenAIAdapter(env: AdapterEnv): ProviderAdapter {
  return createOpenAICompatibleAdapter(openAIDialect, env);
}
