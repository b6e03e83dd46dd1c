// The fake's Bedrock flavour must satisfy the AWS SDK (@aws-sdk/client-bedrock-runtime) pointed at it with
// `endpoint`: Converse, ConverseStream (binary event stream), InvokeModel, errors, and SigV4 checked both ways.
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  ModelStreamErrorException,
  ThrottlingException,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../src/index.ts';

const KEY = { accessKeyId: 'AKIDFAKEEXAMPLE0001', secretAccessKey: 'fake-secret-key-for-tests-only' };
const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider({ awsCredentials: { [KEY.accessKeyId]: KEY.secretAccessKey } });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

function client(credentials = KEY) {
  // The SDK defaults to an HTTP/2 handler (ALPN over TLS in production); the fake is plain HTTP/1.1 on loopback.
  return new BedrockRuntimeClient({
    endpoint: fake.url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
}

describe('@aws-sdk/client-bedrock-runtime against the fake', () => {
  it('Converse: text, stop reason, usage; the SDK’s signature verifies', async () => {
    const res = await client().send(
      new ConverseCommand({
        modelId: MODEL,
        system: [{ text: 'be brief' }],
        messages: [{ role: 'user', content: [{ text: 'hello bedrock' }] }],
        inferenceConfig: { maxTokens: 20 },
      }),
    );
    expect(res.output?.message?.content?.[0]?.text).toBe('echo: hello bedrock');
    expect(res.stopReason).toBe('end_turn');
    expect(res.usage?.inputTokens).toBeGreaterThan(0);
    expect(fake.requests.at(-1)).toMatchObject({
      path: `/model/${encodeURIComponent(MODEL)}/converse`,
      model: MODEL,
      status: 200,
    });
  });

  it('tool use, then a tool result answered in text', async () => {
    const toolConfig = {
      tools: [{ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object' } } } }],
    };
    const first = await client().send(
      new ConverseCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: 'find it' }] }],
        toolConfig,
      }),
    );
    expect(first.stopReason).toBe('tool_use');
    const use = first.output?.message?.content?.[0]?.toolUse;
    expect(use).toMatchObject({ name: 'lookup', input: { echo: 'find it' } });
    const second = await client().send(
      new ConverseCommand({
        modelId: MODEL,
        toolConfig,
        messages: [
          { role: 'user', content: [{ text: 'find it' }] },
          { role: 'assistant', content: [{ toolUse: use! }] },
          {
            role: 'user',
            content: [{ toolResult: { toolUseId: use!.toolUseId!, content: [{ text: 'found: 7' }] } }],
          },
        ],
      }),
    );
    expect(second.output?.message?.content?.[0]?.text).toBe('echo: found: 7');
  });

  it('ConverseStream: the SDK decodes the event stream; deltas add up; metadata carries usage', async () => {
    const res = await client().send(
      new ConverseStreamCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: 'stream it' }] }],
      }),
    );
    let text = '';
    let stop: string | undefined;
    let outputTokens: number | undefined;
    for await (const ev of res.stream ?? []) {
      text += ev.contentBlockDelta?.delta?.text ?? '';
      stop = ev.messageStop?.stopReason ?? stop;
      outputTokens = ev.metadata?.usage?.outputTokens ?? outputTokens;
    }
    expect(text).toBe('echo: stream it');
    expect(stop).toBe('end_turn');
    expect(outputTokens).toBeGreaterThan(0);
  });

  it('a mid-stream error fault is a modelled exception the SDK raises after the first deltas', async () => {
    fake.script([{ fault: { kind: 'mid-stream', afterChunks: 2, mode: 'error' } }]);
    const res = await client().send(
      new ConverseStreamCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: 'stream it and break' }] }],
      }),
    );
    let text = '';
    const err = await (async () => {
      for await (const ev of res.stream ?? []) text += ev.contentBlockDelta?.delta?.text ?? '';
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelStreamErrorException);
    expect(text).toBe('echo: stream ');
  });

  it('InvokeModel for Titan embeddings', async () => {
    const res = await client().send(
      new InvokeModelCommand({
        modelId: 'amazon.titan-embed-text-v2:0',
        contentType: 'application/json',
        body: JSON.stringify({ inputText: 'embed me' }),
      }),
    );
    const out = JSON.parse(new TextDecoder().decode(res.body)) as {
      embedding: number[];
      inputTextTokenCount: number;
    };
    expect(out.embedding).toHaveLength(8);
    expect(out.inputTextTokenCount).toBeGreaterThan(0);
  });

  it('errors are the SDK’s exception classes; a wrong secret fails the signature check', async () => {
    fake.script([{ fault: { kind: 'rate-limit' } }]);
    const throttled = await client()
      .send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }))
      .catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(ThrottlingException);
    fake.reset();
    const badSig = await client({ ...KEY, secretAccessKey: 'not-the-secret' })
      .send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }))
      .then(
        () => ({}) as { name?: string; $metadata?: { httpStatusCode?: number } },
        (e: unknown) => e as { name?: string; $metadata?: { httpStatusCode?: number } },
      );
    expect(badSig.name).toBe('InvalidSignatureException');
    expect(badSig.$metadata?.httpStatusCode).toBe(403);
  });
});
