// One entry per provider kind: how to point a deployment at the fake and what the provider offers.
import type { Deployment, ProviderKind } from '@switchyard/core';
import type { FakeProvider } from '@switchyard/testkit';
import { deployment } from '../deployment.ts';
import { fakeServiceAccount } from '../service-account.ts';

export interface ConformanceCase {
  kind: ProviderKind;
  /** The suite's name for the case when a kind has more than one model family (default: the kind). */
  label?: string;
  deployment(fake: FakeProvider): Deployment;
  /** Also serves embeddings (with this model). */
  embeddingModel?: string;
  tools: boolean;
  /** Serves `completions` (text completion) too. */
  completions: boolean;
  /** Cost of 1M prompt + 1M completion tokens is in the dataset (false for local models). */
  priced: boolean;
}

const SERVICE_ACCOUNT = JSON.stringify(fakeServiceAccount());

/** Vertex serves Gemini and partner models (Claude) from one project, each family in its own region. */
function vertexDeployment(fake: FakeProvider, model: string, location: string): Deployment {
  return deployment('vertex_ai', fake.url, {
    model,
    apiKey: undefined,
    vertex: { project: 'test-project', location, credentials: SERVICE_ACCOUNT },
  });
}
/** The conformance fake checks every Bedrock request's SigV4 signature against this key. */
export const AWS_KEY = { accessKeyId: 'AKIDCONFORMANCE0001', secretAccessKey: 'conformance-secret-key' };
const BEDROCK_MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';

export const CASES: ConformanceCase[] = [
  {
    kind: 'openai',
    deployment: (fake) => deployment('openai', fake.url, { model: 'gpt-4o-mini' }),
    embeddingModel: 'text-embedding-3-small',
    tools: true,
    completions: true,
    priced: true,
  },
  {
    kind: 'azure',
    deployment: (fake) => deployment('azure', fake.url, { model: 'gpt-4o-mini', apiVersion: '2024-10-21' }),
    embeddingModel: 'text-embedding-3-small',
    tools: true,
    completions: true,
    priced: true,
  },
  {
    kind: 'anthropic',
    deployment: (fake) => deployment('anthropic', fake.url, { model: 'claude-sonnet-4-5' }),
    tools: true,
    completions: false,
    priced: true,
  },
  {
    kind: 'ollama_chat',
    deployment: (fake) => deployment('ollama_chat', fake.url, { model: 'llama3.2', apiKey: undefined }),
    embeddingModel: 'nomic-embed-text',
    tools: true,
    completions: true,
    priced: false,
  },
  {
    kind: 'ollama',
    deployment: (fake) => deployment('ollama', fake.url, { model: 'llama3.2', apiKey: undefined }),
    embeddingModel: 'nomic-embed-text',
    tools: false,
    completions: true,
    priced: false,
  },
  {
    kind: 'cohere',
    deployment: (fake) => deployment('cohere', fake.url, { model: 'command-r-plus' }),
    embeddingModel: 'embed-english-v3.0',
    tools: true,
    completions: false,
    priced: true,
  },
  {
    kind: 'gemini',
    deployment: (fake) => deployment('gemini', fake.url, { model: 'gemini-2.5-flash' }),
    embeddingModel: 'gemini-embedding-001',
    tools: true,
    completions: false,
    priced: true,
  },
  {
    kind: 'vertex_ai',
    deployment: (fake) => vertexDeployment(fake, 'gemini-2.5-flash', 'europe-west4'),
    embeddingModel: 'text-embedding-005',
    tools: true,
    completions: false,
    priced: true,
  },
  {
    kind: 'vertex_ai',
    label: 'vertex_ai (claude)',
    deployment: (fake) => vertexDeployment(fake, 'claude-sonnet-4-5@20250929', 'us-east5'),
    tools: true,
    completions: false,
    priced: true,
  },
  {
    kind: 'bedrock',
    deployment: (fake) =>
      deployment('bedrock', fake.url, {
        model: BEDROCK_MODEL,
        apiKey: undefined,
        aws: { region: 'us-east-1', ...AWS_KEY },
      }),
    embeddingModel: 'amazon.titan-embed-text-v2:0',
    tools: true,
    completions: false,
    priced: true,
  },
];
