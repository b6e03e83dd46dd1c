// A Deployment as the config loader would produce it, pointed at a fake provider.
import type { Deployment, Endpoint, ProviderKind } from '@switchyard/core';
import type { ProviderRequest } from '../src/index.ts';

export function deployment(
  provider: ProviderKind,
  apiBase: string,
  over: Partial<Deployment> = {},
): Deployment {
  return {
    id: `${provider}-dep`,
    modelGroup: 'group',
    provider,
    model: provider === 'anthropic' ? 'claude-sonnet-4-5' : 'gpt-4o-mini',
    litellmModel: `${provider}/model`,
    apiBase,
    apiKey: 'sk-secret-key-0123456789abcdef',
    tags: [],
    info: {},
    extraParams: {},
    ...over,
  };
}

export function request(
  dep: Deployment,
  endpoint: Endpoint = 'chat.completions',
  body: Record<string, unknown> = { model: 'group', messages: [{ role: 'user', content: 'hello' }] },
  signal: AbortSignal = new AbortController().signal,
): ProviderRequest {
  return { endpoint, body, deployment: dep, signal };
}
