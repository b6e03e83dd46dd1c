// One entry per provider: how to point a deployment at the fake, how to ask it to stream, how to map the stream.

import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { Deployment, ProviderKind } from '@switchyard/core';
import type { FakeProvider } from '@switchyard/testkit';
import {
  createBedrockStreamMapper,
  createCohereStreamMapper,
  createGeminiStreamMapper,
  createOllamaStreamMapper,
  mapped,
  sigV4Headers,
  toCohereChat,
  toConverseRequest,
  toGeminiRequest,
  toOllamaChat,
  toOllamaGenerate,
} from '../../src/index.ts';
import { deployment } from '../deployment.ts';
import { fakeServiceAccount } from '../service-account.ts';
import { ndjson, sseData } from './assemble.ts';

type Obj = Record<string, unknown>;

export interface StreamSpec {
  /** Provider-format request for a streamed answer (path relative to the fake, body). */
  request(
    dep: Deployment,
    body: Obj,
  ):
    | { path: string; body: Obj; headers?: Record<string, string> }
    | Promise<{ path: string; body: Obj; headers?: Record<string, string> }>;
  /** The raw response body → provider events. */
  parse(raw: Uint8Array): Obj[];
  mapper(meta: { id: string; model: string; created: number }): (event: Obj) => Obj[];
}

export interface ConformanceCase {
  kind: ProviderKind;
  deployment(fake: FakeProvider): Deployment;
  /** Also serves embeddings (with this model). */
  embeddingModel?: string;
  tools: boolean;
  /** Cost of 1M prompt + 1M completion tokens is in the dataset (false for local models). */
  priced: boolean;
  stream: StreamSpec;
}

function must<T>(m: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!m.ok) throw new Error(m.error);
  return m.value;
}

const text = (raw: Uint8Array) => Buffer.from(raw).toString('utf8');
const SERVICE_ACCOUNT = JSON.stringify(fakeServiceAccount());
/** The conformance fake checks every Bedrock request's SigV4 signature against this key. */
export const AWS_KEY = { accessKeyId: 'AKIDCONFORMANCE0001', secretAccessKey: 'conformance-secret-key' };
const BEDROCK_MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const eventStream = new EventStreamCodec(toUtf8, fromUtf8);

/** AWS event-stream frames → the `{ <eventType>: payload }` objects the AWS SDK yields. */
function awsEvents(raw: Uint8Array): Obj[] {
  const out: Obj[] = [];
  let at = 0;
  while (at < raw.length) {
    const length = new DataView(raw.buffer, raw.byteOffset + at, 4).getUint32(0);
    const message = eventStream.decode(raw.subarray(at, at + length));
    const type = String(message.headers[':event-type']?.value);
    out.push({ [type]: JSON.parse(toUtf8(message.body)) as Obj });
    at += length;
  }
  return out;
}

export const CASES: ConformanceCase[] = [
  {
    kind: 'ollama_chat',
    deployment: (fake) => deployment('ollama_chat', fake.url, { model: 'llama3.2', apiKey: undefined }),
    embeddingModel: 'nomic-embed-text',
    tools: true,
    priced: false,
    stream: {
      request: (dep, body) => ({
        path: '/api/chat',
        body: { ...must(mapped(() => toOllamaChat(body, dep.model))), stream: true },
      }),
      parse: (raw) => ndjson(text(raw)),
      mapper: createOllamaStreamMapper,
    },
  },
  {
    kind: 'ollama',
    deployment: (fake) => deployment('ollama', fake.url, { model: 'llama3.2', apiKey: undefined }),
    embeddingModel: 'nomic-embed-text',
    tools: false,
    priced: false,
    stream: {
      request: (dep, body) => ({
        path: '/api/generate',
        body: { ...must(mapped(() => toOllamaGenerate(body, dep.model))), stream: true },
      }),
      parse: (raw) => ndjson(text(raw)),
      mapper: createOllamaStreamMapper,
    },
  },
  {
    kind: 'cohere',
    deployment: (fake) => deployment('cohere', fake.url, { model: 'command-r-plus' }),
    embeddingModel: 'embed-english-v3.0',
    tools: true,
    priced: true,
    stream: {
      request: (dep, body) => ({
        path: '/v2/chat',
        body: { ...must(mapped(() => toCohereChat(body, dep.model))), stream: true },
        headers: { authorization: `Bearer ${dep.apiKey}` },
      }),
      parse: (raw) => sseData(text(raw)),
      mapper: createCohereStreamMapper,
    },
  },
  {
    kind: 'gemini',
    deployment: (fake) => deployment('gemini', fake.url, { model: 'gemini-2.5-flash' }),
    embeddingModel: 'gemini-embedding-001',
    tools: true,
    priced: true,
    stream: {
      request: (dep, body) => ({
        path: `/v1beta/models/${dep.model}:streamGenerateContent?alt=sse`,
        body: must(mapped(() => toGeminiRequest(body))),
        headers: { 'x-goog-api-key': String(dep.apiKey) },
      }),
      parse: (raw) => sseData(text(raw)),
      mapper: createGeminiStreamMapper,
    },
  },
  {
    kind: 'vertex_ai',
    deployment: (fake) =>
      deployment('vertex_ai', fake.url, {
        model: 'gemini-2.5-flash',
        apiKey: undefined,
        vertex: { project: 'test-project', location: 'europe-west4', credentials: SERVICE_ACCOUNT },
      }),
    embeddingModel: 'text-embedding-005',
    tools: true,
    priced: true,
    stream: {
      request: (dep, body) => ({
        path: `/v1/projects/test-project/locations/europe-west4/publishers/google/models/${dep.model}:streamGenerateContent?alt=sse`,
        body: must(mapped(() => toGeminiRequest(body))),
      }),
      parse: (raw) => sseData(text(raw)),
      mapper: createGeminiStreamMapper,
    },
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
    priced: true,
    stream: {
      request: async (dep, body) => {
        const sent = must(mapped(() => toConverseRequest(body)));
        const path = `/model/${encodeURIComponent(dep.model)}/converse-stream`;
        const url = new URL(`${dep.apiBase}${path}`);
        const base = { 'content-type': 'application/json', accept: 'application/json' };
        const signed = await sigV4Headers(dep.aws!, url, base, JSON.stringify(sent), dep.id);
        return { path, body: sent, headers: { ...base, ...signed } };
      },
      parse: awsEvents,
      mapper: createBedrockStreamMapper,
    },
  },
];
