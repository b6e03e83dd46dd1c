// Each translating provider end to end: a real queued job through worker processes to the provider's fake
// flavour, answered in OpenAI's shape with routing, usage and cost — plain and streamed (`stream: true` through
// the job's Redis Stream); a provider error fails the job with its type.
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompletionError } from '@switchyard/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, type Stack, startStack } from './harness.ts';

let stack: Stack;

/** The fake checks every Bedrock request's SigV4 signature against these keys. */
const AWS_KEY = { id: 'AKIDINTEGRATION0001', secret: 'integration-secret-key' };
const CHAIN_KEY = { id: 'AKIDFROMENVCHAIN001', secret: 'env-chain-secret-key' };
const PROFILE_KEY = { id: 'AKIDFROMPROFILE0001', secret: 'profile-secret-key' };
const ROLE_KEY = {
  id: 'ASIAASSUMEDROLE0001',
  secret: 'assumed-role-secret',
  token: 'role-session-token-0042',
};
const ROLE_ARN = 'arn:aws:iam::123456789012:role/router';

/** A stand-in for AWS STS: answers AssumeRole with ROLE_KEY and records what it was asked. */
const stsCalls: URLSearchParams[] = [];
let sts: Server;
async function startSts(): Promise<string> {
  sts = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      stsCalls.push(new URLSearchParams(body));
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>${ROLE_KEY.id}</AccessKeyId><SecretAccessKey>${ROLE_KEY.secret}</SecretAccessKey>
<SessionToken>${ROLE_KEY.token}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>${ROLE_ARN}/sy-test</Arn><AssumedRoleId>AROA1:sy-test</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></AssumeRoleResponse>`);
    });
  });
  sts.listen(0, '127.0.0.1');
  await once(sts, 'listening');
  return `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
}

/** A shared credentials file with the `team` profile (`aws_profile_name: team`). */
const awsFiles = mkdtempSync(join(tmpdir(), 'switchyard-aws-'));
writeFileSync(
  join(awsFiles, 'credentials'),
  `[team]\naws_access_key_id = ${PROFILE_KEY.id}\naws_secret_access_key = ${PROFILE_KEY.secret}\n`,
);

/** A throwaway service account: workers sign Vertex calls with it, offline. */
const SERVICE_ACCOUNT = {
  type: 'service_account',
  client_email: 'router@acme.iam.gserviceaccount.com',
  private_key_id: 'k1',
  private_key: generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString(),
};

/** `[group, litellm_params]` for one deployment of each provider, all on the one fake server. */
const DEPLOYMENTS = (url: string, stsUrl: string): [string, Record<string, unknown>][] => [
  ['ollama-chat', { model: 'ollama_chat/llama3.2', api_base: url }],
  ['ollama-generate', { model: 'ollama/llama3.2', api_base: url }],
  ['ollama-embed', { model: 'ollama/nomic-embed-text', api_base: url }],
  ['cohere-chat', { model: 'cohere/command-r-plus', api_base: url, api_key: 'co-secret-key-1234' }],
  ['cohere-embed', { model: 'cohere/embed-english-v3.0', api_base: url, api_key: 'co-secret-key-1234' }],
  ['gemini-chat', { model: 'gemini/gemini-2.5-flash', api_base: url, api_key: 'AIza-secret-1234' }],
  ['gemini-embed', { model: 'gemini/gemini-embedding-001', api_base: url, api_key: 'AIza-secret-1234' }],
  [
    'bedrock-chat',
    {
      model: 'bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0',
      api_base: url,
      aws_access_key_id: AWS_KEY.id,
      aws_secret_access_key: 'os.environ/TEST_AWS_SECRET',
      aws_region_name: 'eu-central-1',
    },
  ],
  // No keys in the config: the AWS default credential chain finds them in the worker's environment.
  ['bedrock-chain', { model: 'bedrock/converse/amazon.nova-pro-v1:0', api_base: url }],
  // A named profile: its keys, never the environment's (the chain skips env keys when a profile is named).
  ['bedrock-profile', { model: 'bedrock/amazon.nova-pro-v1:0', api_base: url, aws_profile_name: 'team' }],
  [
    'bedrock-role',
    {
      model: 'bedrock/amazon.nova-pro-v1:0',
      api_base: url,
      aws_access_key_id: AWS_KEY.id,
      aws_secret_access_key: 'os.environ/TEST_AWS_SECRET',
      aws_role_name: ROLE_ARN,
      aws_session_name: 'sy-test',
      aws_sts_endpoint: stsUrl,
    },
  ],
  [
    'bedrock-embed',
    {
      model: 'bedrock/amazon.titan-embed-text-v2:0',
      api_base: url,
      aws_access_key_id: AWS_KEY.id,
      aws_secret_access_key: 'os.environ/TEST_AWS_SECRET',
    },
  ],
  [
    'vertex-claude',
    {
      model: 'vertex_ai/claude-sonnet-4-5@20250929',
      api_base: url,
      vertex_project: 'acme',
      vertex_location: 'us-east5',
      vertex_credentials: SERVICE_ACCOUNT,
    },
  ],
  [
    'vertex-chat',
    {
      model: 'vertex_ai/gemini-2.5-flash',
      api_base: url,
      vertex_project: 'acme',
      vertex_location: 'us-east5',
      vertex_credentials: SERVICE_ACCOUNT,
    },
  ],
];

beforeAll(async () => {
  const stsUrl = await startSts();
  stack = await startStack({
    config: (fake) => ({
      model_list: DEPLOYMENTS(fake.url, stsUrl).map(([group, params]) => ({
        model_name: group,
        litellm_params: params,
        model_info: { id: group },
      })),
      router_settings: { num_retries: 0 },
    }),
    fake: {
      awsCredentials: {
        [AWS_KEY.id]: AWS_KEY.secret,
        [CHAIN_KEY.id]: CHAIN_KEY.secret,
        [PROFILE_KEY.id]: PROFILE_KEY.secret,
        [ROLE_KEY.id]: ROLE_KEY.secret,
      },
    },
    env: {
      TEST_AWS_SECRET: AWS_KEY.secret,
      AWS_ACCESS_KEY_ID: CHAIN_KEY.id,
      AWS_SECRET_ACCESS_KEY: CHAIN_KEY.secret,
      AWS_REGION: 'us-east-1',
      AWS_SHARED_CREDENTIALS_FILE: join(awsFiles, 'credentials'),
      AWS_CONFIG_FILE: join(awsFiles, 'config'),
      // Keep the chain from probing instance metadata if the environment ever lacks keys.
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  sts?.close();
});

const VERTEX_MODEL = '/v1/projects/acme/locations/us-east5/publishers/google/models/gemini-2.5-flash';
const VERTEX_CLAUDE =
  '/v1/projects/acme/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5%4020250929';
const BEDROCK_CLAUDE = `/model/${encodeURIComponent('anthropic.claude-3-5-sonnet-20240620-v1:0')}`;
const BEDROCK_NOVA = `/model/${encodeURIComponent('amazon.nova-pro-v1:0')}`;

/** `[group, provider, plain call path, streamed call path]`. */
describe.each([
  ['ollama-chat', 'ollama_chat', '/api/chat', '/api/chat'],
  ['ollama-generate', 'ollama', '/api/generate', '/api/generate'],
  ['cohere-chat', 'cohere', '/v2/chat', '/v2/chat'],
  [
    'gemini-chat',
    'gemini',
    '/v1beta/models/gemini-2.5-flash:generateContent',
    '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
  ],
  ['bedrock-chat', 'bedrock', `${BEDROCK_CLAUDE}/converse`, `${BEDROCK_CLAUDE}/converse-stream`],
  ['bedrock-chain', 'bedrock', `${BEDROCK_NOVA}/converse`, `${BEDROCK_NOVA}/converse-stream`],
  ['bedrock-profile', 'bedrock', `${BEDROCK_NOVA}/converse`, `${BEDROCK_NOVA}/converse-stream`],
  [
    'vertex-chat',
    'vertex_ai',
    `${VERTEX_MODEL}:generateContent`,
    `${VERTEX_MODEL}:streamGenerateContent?alt=sse`,
  ],
  ['vertex-claude', 'vertex_ai', `${VERTEX_CLAUDE}:rawPredict`, `${VERTEX_CLAUDE}:streamRawPredict`],
])('%s', (group, provider, path, streamPath) => {
  it('a queued chat job is answered by the provider, mapped to chat.completion', async () => {
    stack.fake.reset();
    const r = await stack.client.completion(chat(group, `hello ${provider}`));
    expect(r.routing).toMatchObject({ modelGroup: group, deploymentId: group, provider });
    expect(r.choices).toEqual([
      expect.objectContaining({
        message: expect.objectContaining({ content: `echo: hello ${provider}` }),
        finish_reason: 'stop',
      }),
    ]);
    expect((r.usage as { total_tokens: number }).total_tokens).toBeGreaterThan(0);
    if (!provider.startsWith('ollama')) expect(r.routing.cost).toBeGreaterThan(0);
    expect(stack.fake.requests.map((q) => q.path)).toEqual([path]);
    // Bedrock calls are answered only when their SigV4 signature verifies (the fake re-signs them).
    expect(stack.fake.requests[0]?.status).toBe(200);
    // Claude on Vertex: the Messages body with Vertex's version, the model named by the URL only.
    if (group === 'vertex-claude') {
      expect(stack.fake.requests[0]?.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16' });
      expect(stack.fake.requests[0]?.body).not.toHaveProperty('model');
    }
  });

  it('a stream: true job: OpenAI chunks through the Redis Stream, the assembled returnvalue with usage and cost', async () => {
    stack.fake.reset();
    const stream = stack.client.stream({
      ...chat(group, `stream ${provider}`),
      stream_options: { include_usage: true },
    });
    const chunks: Record<string, any>[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(new Set(chunks.map((c) => c.object))).toEqual(new Set(['chat.completion.chunk']));
    expect(chunks[0]?.choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(`echo: stream ${provider}`);
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0].finish_reason)).toEqual([
      'stop',
    ]);
    const usage = chunks.at(-1)?.usage as { prompt_tokens: number; completion_tokens: number };
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(stream.routing).toMatchObject({ deploymentId: group, provider });

    const r = await stack.client.result(stream.jobId);
    expect(r?.choices).toEqual([
      expect.objectContaining({
        message: expect.objectContaining({ role: 'assistant', content: `echo: stream ${provider}` }),
        finish_reason: 'stop',
      }),
    ]);
    expect(r?.usage).toMatchObject({
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
    });
    if (provider.startsWith('ollama')) expect(r?.routing.cost).toBe(0);
    else expect(r?.routing.cost).toBeGreaterThan(0);
    expect(stack.fake.requests.map((q) => [q.path, q.status])).toEqual([[streamPath, 200]]);
  });

  it('a provider 429 fails the job with RateLimitError', async () => {
    stack.fake.script([{ fault: { kind: 'rate-limit' } }]);
    try {
      const err = await stack.client.completion(chat(group)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CompletionError);
      expect((err as CompletionError).type).toBe('RateLimitError');
    } finally {
      stack.fake.reset();
    }
  });
});

it('embeddings through Ollama, Cohere, Gemini and Bedrock (Titan)', async () => {
  for (const group of ['ollama-embed', 'cohere-embed', 'gemini-embed', 'bedrock-embed']) {
    const r = await stack.client.embedding({ model: group, input: ['a', 'b'] });
    expect(r.routing.deploymentId).toBe(group);
    expect(r.data as unknown[]).toHaveLength(2);
  }
});

it('aws_role_name: the worker assumes the role through STS and signs Bedrock calls with its credentials', async () => {
  stack.fake.reset();
  const r = await stack.client.completion(chat('bedrock-role', 'as the role'));
  expect(r.routing.deploymentId).toBe('bedrock-role');
  expect(stsCalls.at(-1)?.get('Action')).toBe('AssumeRole');
  expect(stsCalls.at(-1)?.get('RoleArn')).toBe(ROLE_ARN);
  expect(stsCalls.at(-1)?.get('RoleSessionName')).toBe('sy-test');
  // Signed (and verified by the fake) with the role's temporary key, its session token sent along.
  const sent = stack.fake.requests.at(-1)!;
  expect(sent.status).toBe(200);
  expect(sent.headers['x-amz-security-token']).toMatch(/0042$/);
  // The credentials are reused until they near expiry: at most one STS call per worker process.
  await Promise.all(
    Array.from({ length: 6 }, (_, i) => stack.client.completion(chat('bedrock-role', `n${i}`))),
  );
  expect(stsCalls.length).toBeLessThanOrEqual(stack.workers.length);
});
