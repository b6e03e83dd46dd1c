// Which endpoints each provider serves: a deployment of a provider without the endpoint is never picked
// for it (LiteLLM raises "not supported" per provider; here the group is filtered before routing).
import { type Endpoint, JOB_NAMES } from '../contract/job-names.ts';
import type { Deployment, ProviderKind } from './types.ts';

const CHAT_EMBED: readonly Endpoint[] = ['chat.completions', 'embeddings'];
const OLLAMA: readonly Endpoint[] = ['chat.completions', 'completions', 'embeddings'];

export const PROVIDER_ENDPOINTS: Readonly<Record<ProviderKind, readonly Endpoint[]>> = {
  // OpenAI and every OpenAI-compatible server serve every job name (vLLM, TEI and Infinity serve `/rerank`).
  openai: JOB_NAMES,
  // Azure OpenAI has no moderations or rerank route (LiteLLM's azure/ has neither).
  azure: JOB_NAMES.filter((e) => e !== 'moderations' && e !== 'rerank'),
  anthropic: ['chat.completions'],
  cohere: ['chat.completions', 'embeddings', 'rerank'],
  gemini: CHAT_EMBED,
  vertex_ai: CHAT_EMBED,
  bedrock: CHAT_EMBED,
  ollama: OLLAMA,
  ollama_chat: OLLAMA,
};

export function servesEndpoint(deployment: Pick<Deployment, 'provider'>, endpoint: Endpoint): boolean {
  return PROVIDER_ENDPOINTS[deployment.provider].includes(endpoint);
}
