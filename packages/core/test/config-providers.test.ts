// Provider prefixes beyond OpenAI/Azure/Anthropic: defaults, LiteLLM's environment names, required fields.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.ts';

function one(params: Record<string, unknown>, env: Record<string, string> = {}) {
  const config = loadConfig({ model_list: [{ model_name: 'g', litellm_params: params }] }, { env });
  return { deployment: config.deployments[0]!, warnings: config.warnings };
}

describe('provider prefixes', () => {
  it('cohere/, ollama/, ollama_chat/: default bases and key variables', () => {
    const env = { COHERE_API_KEY: 'c-key' };
    expect(one({ model: 'cohere/command-r-plus' }, env).deployment).toMatchObject({
      provider: 'cohere',
      apiBase: 'https://api.cohere.com',
      apiKey: 'c-key',
    });
    expect(one({ model: 'ollama/llama3' }).deployment).toMatchObject({
      provider: 'ollama',
      model: 'llama3',
      apiBase: 'http://localhost:11434',
    });
    expect(
      one({ model: 'ollama_chat/llama3' }, { OLLAMA_API_BASE: 'http://gpu-box:11434' }).deployment,
    ).toMatchObject({
      provider: 'ollama_chat',
      apiBase: 'http://gpu-box:11434',
    });
    expect(one({ model: 'ollama/llama3', api_base: 'http://h:1/' }).deployment.apiBase).toBe('http://h:1');
  });

  it('warns about vertex_* / aws_* keys on other providers instead of ignoring them silently', () => {
    const { warnings } = one({ model: 'gpt-4o', aws_region_name: 'us-east-1', vertex_project: 'p' });
    expect(warnings).toEqual(
      expect.arrayContaining([
        'model_list[0].litellm_params.aws_region_name: ignored, only bedrock/ deployments use it',
        'model_list[0].litellm_params.vertex_project: ignored, only vertex_ai/ deployments use it',
      ]),
    );
  });
});
