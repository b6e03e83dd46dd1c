// Provider prefixes beyond OpenAI/Azure/Anthropic: defaults, LiteLLM's environment names, required fields.
import { describe, expect, it } from 'vitest';
import { ConfigError, costOf, loadConfig } from '../src/index.ts';

function one(params: Record<string, unknown>, env: Record<string, string> = {}) {
  const config = loadConfig({ model_list: [{ model_name: 'g', litellm_params: params }] }, { env });
  return { deployment: config.deployments[0]!, warnings: config.warnings };
}

function issues(params: Record<string, unknown>, env: Record<string, string> = {}): string {
  try {
    loadConfig({ model_list: [{ model_name: 'g', litellm_params: params }] }, { env });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '';
}

describe('provider prefixes', () => {
  it('gemini/, cohere/, ollama/, ollama_chat/: default bases and key variables', () => {
    const env = { GEMINI_API_KEY: 'g-key', COHERE_API_KEY: 'c-key' };
    expect(one({ model: 'gemini/gemini-2.5-flash' }, env).deployment).toMatchObject({
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      apiBase: 'https://generativelanguage.googleapis.com',
      apiKey: 'g-key',
    });
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

  it('vertex_ai/: project required, location defaulting to us-central1, credentials resolved from the environment', () => {
    const { deployment } = one(
      {
        model: 'vertex_ai/gemini-2.5-pro',
        vertex_project: 'os.environ/PROJECT',
        vertex_credentials: 'os.environ/CREDS',
      },
      { PROJECT: 'my-proj', CREDS: '{"type":"service_account"}' },
    );
    expect(deployment).toMatchObject({
      provider: 'vertex_ai',
      model: 'gemini-2.5-pro',
      apiBase: 'https://us-central1-aiplatform.googleapis.com',
      vertex: { project: 'my-proj', location: 'us-central1', credentials: '{"type":"service_account"}' },
    });
    expect(
      one({ model: 'vertex_ai/gemini-2.5-pro', vertex_location: 'global' }, { VERTEXAI_PROJECT: 'p' })
        .deployment,
    ).toMatchObject({
      apiBase: 'https://aiplatform.googleapis.com',
      vertex: { project: 'p', location: 'global' },
    });
    expect(issues({ model: 'vertex_ai/gemini-2.5-pro' })).toContain(
      'model_list[0].litellm_params.vertex_project: Required for provider "vertex_ai" (or set VERTEXAI_PROJECT)',
    );
  });

  it('bedrock/: region from config or AWS_REGION_NAME / AWS_REGION, keys optional but paired', () => {
    const { deployment } = one(
      {
        model: 'bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0',
        aws_access_key_id: 'AKIDEXAMPLE',
        aws_secret_access_key: 'os.environ/AWS_SECRET',
        aws_region_name: 'eu-central-1',
      },
      { AWS_SECRET: 'shh' },
    );
    expect(deployment).toMatchObject({
      provider: 'bedrock',
      model: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      apiBase: 'https://bedrock-runtime.eu-central-1.amazonaws.com',
      aws: { region: 'eu-central-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'shh' },
    });
    expect(deployment.extraParams).toEqual({});
    expect(
      one({ model: 'bedrock/amazon.nova-pro-v1:0' }, { AWS_REGION: 'ap-south-1' }).deployment.aws,
    ).toEqual({
      region: 'ap-south-1',
    });
    expect(one({ model: 'bedrock/amazon.nova-pro-v1:0' }).deployment.aws).toEqual({ region: 'us-west-2' });
    expect(issues({ model: 'bedrock/x', aws_access_key_id: 'AKID' })).toContain(
      'model_list[0].litellm_params.aws_secret_access_key: Required when the other AWS key is set',
    );
  });

  it('reads aws_profile_name and aws_role_name (+ session name, STS endpoint) for Bedrock', () => {
    const role = 'arn:aws:iam::1:role/r';
    expect(
      one({ model: 'bedrock/amazon.nova-pro-v1:0', aws_profile_name: 'team', aws_role_name: role }).deployment
        .aws,
    ).toEqual({ region: 'us-west-2', profile: 'team', role: { arn: role, sessionName: 'switchyard' } });
    expect(
      one({
        model: 'bedrock/amazon.nova-pro-v1:0',
        aws_role_name: role,
        aws_session_name: 's1',
        aws_sts_endpoint: 'https://sts.example',
      }).deployment.aws?.role,
    ).toEqual({ arn: role, sessionName: 's1', stsEndpoint: 'https://sts.example' });
    expect(issues({ model: 'bedrock/x', aws_session_name: 's1' })).toContain(
      'model_list[0].litellm_params.aws_session_name: Only meaningful with aws_role_name',
    );
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

  it('prices Gemini and Vertex from Google’s, Bedrock from AWS’s dataset entries; local Ollama models are unpriced', () => {
    const usage = { promptTokens: 1000, completionTokens: 1000 };
    const gemini = one({ model: 'gemini/gemini-2.5-flash' }).deployment;
    const vertex = one({ model: 'vertex_ai/gemini-2.5-flash', vertex_project: 'p' }).deployment;
    expect(costOf(gemini, usage)).toBeGreaterThan(0);
    expect(costOf(vertex, usage)).toBe(costOf(gemini, usage));
    const bedrock = one({ model: 'bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0' }).deployment;
    expect(costOf(bedrock, usage)).toBeCloseTo(0.003 + 0.015, 6);
    expect(costOf(one({ model: 'ollama/llama3' }).deployment, usage)).toBe(0);
  });
});
