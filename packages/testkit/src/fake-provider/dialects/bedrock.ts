// Bedrock runtime: Converse (`/model/{id}/converse`), ConverseStream (AWS event-stream frames) and InvokeModel
// for Titan / Cohere embeddings. Errors name their exception in `x-amzn-errortype`, as AWS does.
import type { IncomingMessage } from 'node:http';
import type { Reply } from '../bodies.ts';
import { embeddingVector, estimateTokens, randomId } from '../content.ts';
import type { HttpAnswer } from '../error-bodies.ts';
import type { FakeEndpoint } from '../types.ts';
import { type Dialect, type Obj, pieces } from './dialect.ts';

const PATH = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/;

const EXCEPTION: Record<number, [string, string]> = {
  400: ['ValidationException', 'Malformed input request, please reformat your input and try again.'],
  401: ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
  403: ['AccessDeniedException', "You don't have access to the model with the specified model ID."],
  404: [
    'ResourceNotFoundException',
    'Could not resolve the foundation model from the provided model identifier.',
  ],
  408: ['ModelTimeoutException', 'Model has timed out in processing the request.'],
  424: ['ModelErrorException', 'The model returned an error.'],
  429: ['ThrottlingException', 'Too many requests, please wait before trying again.'],
  500: ['InternalServerException', 'The server encountered an internal error.'],
  503: ['ServiceUnavailableException', 'Bedrock is unable to process your request.'],
};

/** The AWS codec and signer load on the first Bedrock request: the CLI imports the fake and starts faster without. */
async function aws() {
  const [{ EventStreamCodec }, { fromUtf8, toUtf8 }, { SignatureV4 }, { Sha256 }] = await Promise.all([
    import('@smithy/eventstream-codec'),
    import('@smithy/util-utf8'),
    import('@smithy/signature-v4'),
    import('@aws-crypto/sha256-js'),
  ]);
  return { codec: new EventStreamCodec(toUtf8, fromUtf8), fromUtf8, SignatureV4, Sha256 };
}

type Aws = Awaited<ReturnType<typeof aws>>;

function encode({ codec, fromUtf8 }: Aws, eventType: string, payload: Obj): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

function textsOf(content: unknown): string {
  return Array.isArray(content)
    ? content.map((b) => (typeof (b as Obj)?.text === 'string' ? String((b as Obj).text) : '')).join('')
    : '';
}

function usage(r: Reply): Obj {
  return {
    inputTokens: r.promptTokens,
    outputTokens: r.completionTokens,
    totalTokens: r.promptTokens + r.completionTokens,
  };
}

function embedInputs(body: Obj): string[] {
  if (typeof body.inputText === 'string') return [body.inputText];
  return Array.isArray(body.texts) ? body.texts.map(String) : [];
}

/** A request signed with a key the fake knows, checked by re-signing it with the same SDK signer. */
async function verifySigV4(
  req: IncomingMessage,
  url: URL,
  raw: string,
  secrets: Record<string, string>,
): Promise<boolean> {
  const auth = String(req.headers.authorization ?? '');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(
      auth,
    );
  const secret = m ? secrets[m[1]!] : undefined;
  const date = String(req.headers['x-amz-date'] ?? '');
  if (!m || secret === undefined || !/^\d{8}T\d{6}Z$/.test(date)) return false;
  const signedNames = m[4]!.split(';');
  const headers: Record<string, string> = {};
  for (const name of signedNames) headers[name] = String(req.headers[name] ?? '');
  const token = req.headers['x-amz-security-token'];
  const { SignatureV4, Sha256 } = await aws();
  const signer = new SignatureV4({
    service: m[3]!,
    region: m[2]!,
    credentials: {
      accessKeyId: m[1]!,
      secretAccessKey: secret,
      ...(typeof token === 'string' ? { sessionToken: token } : {}),
    },
    sha256: Sha256,
  });
  const signingDate = new Date(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
  );
  const again = await signer.sign(
    {
      method: req.method ?? 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: raw,
    },
    { signingDate },
  );
  return again.headers.authorization === auth;
}

export const bedrockDialect: Dialect = {
  provider: 'bedrock',
  route(method, url) {
    const m = method === 'POST' ? PATH.exec(url.pathname) : null;
    if (!m) return undefined;
    return { provider: 'bedrock', endpoint: m[2] as FakeEndpoint, model: decodeURIComponent(m[1]!) };
  },
  async verify(req, url, raw, opts) {
    if (!opts.awsCredentials) return undefined;
    if (await verifySigV4(req, url, raw, opts.awsCredentials)) return undefined;
    return {
      status: 403,
      headers: {
        'x-amzn-errortype':
          'InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/',
      },
      body: {
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      },
    };
  },
  turn(route, body) {
    if (route.endpoint === 'invoke') {
      const inputs = embedInputs(body);
      return { lastUser: inputs.at(-1) ?? '', prompt: inputs.join('\n'), tools: [] };
    }
    const messages = Array.isArray(body.messages) ? (body.messages as Obj[]) : [];
    const users = messages.filter((m) => m.role === 'user' && textsOf(m.content) !== '');
    const lastBlocks = Array.isArray(messages.at(-1)?.content) ? (messages.at(-1)!.content as Obj[]) : [];
    const result = lastBlocks.find((b) => b.toolResult)?.toolResult as Obj | undefined;
    const tools = Array.isArray((body.toolConfig as Obj | undefined)?.tools)
      ? ((body.toolConfig as Obj).tools as Obj[]).map((t) => String((t.toolSpec as Obj)?.name))
      : [];
    const system = Array.isArray(body.system) ? textsOf(body.system) : '';
    const turn = {
      lastUser: textsOf(users.at(-1)?.content),
      prompt: [system, ...messages.map((m) => textsOf(m.content))].join('\n'),
      tools,
    };
    if (!result) return turn;
    const content = Array.isArray(result.content) ? (result.content as Obj[]) : [];
    const text = content
      .map((c) => (typeof c.text === 'string' ? c.text : c.json !== undefined ? JSON.stringify(c.json) : ''))
      .join('');
    return { ...turn, toolResult: text };
  },
  success(route, body, r) {
    if (route.endpoint === 'invoke') {
      const inputs = embedInputs(body);
      const dims = typeof body.dimensions === 'number' ? body.dimensions : 8;
      if (typeof body.inputText === 'string') {
        return {
          embedding: embeddingVector(body.inputText, dims),
          inputTextTokenCount: estimateTokens(body.inputText),
        };
      }
      return {
        id: r.id,
        response_type: 'embeddings_floats',
        texts: inputs,
        embeddings: inputs.map((s) => embeddingVector(s, dims)),
      };
    }
    const content = r.toolCall
      ? [{ toolUse: { toolUseId: randomId('tooluse_'), name: r.toolCall.name, input: r.toolCall.args } }]
      : [{ text: r.text }];
    return {
      output: { message: { role: 'assistant', content } },
      stopReason: r.toolCall ? 'tool_use' : 'end_turn',
      usage: usage(r),
      metrics: { latencyMs: 12 },
    };
  },
  async stream(route, _body, r) {
    if (route.endpoint !== 'converse-stream') return undefined;
    const lib = await aws();
    const frame = (type: string, payload: Obj) => encode(lib, type, payload);
    const frames: Uint8Array[] = [frame('messageStart', { role: 'assistant' })];
    if (r.toolCall) {
      const args = JSON.stringify(r.toolCall.args);
      frames.push(
        frame('contentBlockStart', {
          contentBlockIndex: 0,
          start: { toolUse: { toolUseId: randomId('tooluse_'), name: r.toolCall.name } },
        }),
        frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: args.slice(0, 5) } } }),
        frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: args.slice(5) } } }),
        frame('contentBlockStop', { contentBlockIndex: 0 }),
      );
    } else {
      for (const text of pieces(r.text))
        frames.push(frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }));
      frames.push(frame('contentBlockStop', { contentBlockIndex: 0 }));
    }
    frames.push(
      frame('messageStop', { stopReason: r.toolCall ? 'tool_use' : 'end_turn' }),
      frame('metadata', { usage: usage(r), metrics: { latencyMs: 12 } }),
    );
    // A modelled exception mid-stream, as ConverseStream sends it.
    const errorFrame = lib.codec.encode({
      headers: {
        ':exception-type': { type: 'string', value: 'modelStreamErrorException' },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'exception' },
      },
      body: lib.fromUtf8(JSON.stringify({ message: 'The model stream failed.' })),
    });
    return { contentType: 'application/vnd.amazon.eventstream', frames, errorFrame };
  },
  error(status, spec = {}): HttpAnswer {
    const [type, message] = EXCEPTION[status] ?? [
      status >= 500 ? 'InternalServerException' : 'ValidationException',
      `Error ${status}.`,
    ];
    // Bad credentials are a 403 on AWS, named UnrecognizedClientException.
    const httpStatus = status === 401 ? 403 : status;
    const name = spec.type ?? type;
    return {
      status: httpStatus,
      headers: { 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
      body: { message: spec.message ?? message },
    };
  },
  contextWindow() {
    return this.error(400, { message: 'Input is too long for requested model.' });
  },
  contentPolicy() {
    // Anthropic models on Bedrock refuse through Converse like this; guardrails answer 200 `guardrail_intervened`.
    return this.error(400, { message: 'Output blocked by content filtering policy' });
  },
};
