// Google's generateContent API in its two homes: Gemini (AI Studio, `/v1beta/models/{m}:{method}`, API key)
// and Vertex AI (`/v1/projects/{p}/locations/{l}/publishers/google/models/{m}:{method}`, bearer token).
import type { Reply } from '../bodies.ts';
import { embeddingVector, estimateTokens } from '../content.ts';
import type { HttpAnswer } from '../error-bodies.ts';
import type { FakeEndpoint, FakeProviderKind, FakeRoute } from '../types.ts';
import { type Dialect, type Obj, pieces } from './dialect.ts';

const PATH =
  /^\/(v1|v1beta|v1beta1)\/(?:projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/)?models\/([^/:]+):(\w+)$/;
const METHODS = new Set<FakeEndpoint>([
  'generateContent',
  'streamGenerateContent',
  'embedContent',
  'batchEmbedContents',
  'predict',
]);

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};
const MESSAGE: Record<number, string> = {
  400: 'Request contains an invalid argument.',
  401: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  403: 'The caller does not have permission',
  404: 'models/unknown is not found for API version v1beta, or is not supported for generateContent.',
  429: 'Resource has been exhausted (e.g. check quota).',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
  504: 'The request timed out. Please try again.',
};

function texts(parts: unknown): string {
  return Array.isArray(parts)
    ? parts.map((p) => (typeof (p as Obj)?.text === 'string' ? String((p as Obj).text) : '')).join('')
    : '';
}

function candidate(r: Reply, text: string, final: boolean): Obj {
  const parts: Obj[] = r.toolCall
    ? [{ functionCall: { name: r.toolCall.name, args: r.toolCall.args } }]
    : [{ text }];
  return { content: { role: 'model', parts }, ...(final ? { finishReason: 'STOP' } : {}), index: 0 };
}

function usage(r: Reply): Obj {
  return {
    promptTokenCount: r.promptTokens,
    candidatesTokenCount: r.completionTokens,
    totalTokenCount: r.promptTokens + r.completionTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: r.promptTokens }],
  };
}

function googleDialect(provider: Extract<FakeProviderKind, 'gemini' | 'vertex_ai'>): Dialect {
  const dialect: Dialect = {
    provider,
    route(method, url) {
      const m = method === 'POST' ? PATH.exec(url.pathname) : null;
      if (!m || !METHODS.has(m[5] as FakeEndpoint)) return undefined;
      const isVertex = m[2] !== undefined;
      if (isVertex !== (provider === 'vertex_ai')) return undefined;
      return { provider, endpoint: m[5] as FakeEndpoint, model: decodeURIComponent(m[4]!) };
    },
    turn(route, body) {
      if (
        route.endpoint === 'batchEmbedContents' ||
        route.endpoint === 'embedContent' ||
        route.endpoint === 'predict'
      ) {
        const inputs = embedInputs(route, body);
        return { lastUser: inputs.at(-1) ?? '', prompt: inputs.join('\n'), tools: [] };
      }
      const contents = Array.isArray(body.contents) ? (body.contents as Obj[]) : [];
      const users = contents.filter((c) => c.role !== 'model' && texts(c.parts) !== '');
      const last = contents.at(-1);
      const lastParts = Array.isArray(last?.parts) ? (last.parts as Obj[]) : [];
      const fnResponse = lastParts.find((p) => p.functionResponse)?.functionResponse as Obj | undefined;
      const decls = Array.isArray(body.tools)
        ? (body.tools as Obj[]).flatMap((t) =>
            Array.isArray(t.functionDeclarations) ? (t.functionDeclarations as Obj[]) : [],
          )
        : [];
      const mode = ((body.toolConfig as Obj | undefined)?.functionCallingConfig as Obj | undefined)?.mode;
      const turn = {
        lastUser: texts(users.at(-1)?.parts),
        prompt: [
          texts((body.systemInstruction as Obj | undefined)?.parts),
          ...contents.map((c) => texts(c.parts)),
        ].join('\n'),
        tools: mode === 'NONE' ? [] : decls.map((d) => String(d.name)),
      };
      if (!fnResponse) return turn;
      const response = (fnResponse.response ?? {}) as Obj;
      return {
        ...turn,
        toolResult: typeof response.content === 'string' ? response.content : JSON.stringify(response),
      };
    },
    success(route, body, r) {
      const dims = (o: Obj | undefined) =>
        typeof o?.outputDimensionality === 'number' ? o.outputDimensionality : 8;
      if (route.endpoint === 'embedContent')
        return { embedding: { values: embeddingVector(embedInputs(route, body)[0] ?? '', dims(body)) } };
      if (route.endpoint === 'batchEmbedContents') {
        const reqs = Array.isArray(body.requests) ? (body.requests as Obj[]) : [];
        return {
          embeddings: reqs.map((q) => ({
            values: embeddingVector(texts((q.content as Obj | undefined)?.parts), dims(q)),
          })),
        };
      }
      if (route.endpoint === 'predict') {
        const inputs = embedInputs(route, body);
        return {
          predictions: inputs.map((s) => ({
            embeddings: {
              values: embeddingVector(s, dims(body.parameters as Obj | undefined)),
              statistics: { token_count: estimateTokens(s), truncated: false },
            },
          })),
          metadata: { billableCharacterCount: inputs.join('').length },
        };
      }
      return {
        candidates: [candidate(r, r.text, true)],
        usageMetadata: usage(r),
        modelVersion: r.model,
        responseId: r.id,
      };
    },
    stream(route, _body, r) {
      if (route.endpoint !== 'streamGenerateContent') return undefined;
      // `alt=sse`: one `data:` event per partial response, CRLF-separated as Google sends them.
      const frame = (o: Obj) => `data: ${JSON.stringify(o)}\r\n\r\n`;
      const head = { modelVersion: r.model, responseId: r.id };
      if (r.toolCall)
        return {
          contentType: 'text/event-stream',
          frames: [frame({ candidates: [candidate(r, '', true)], usageMetadata: usage(r), ...head })],
        };
      const words = pieces(r.text);
      const frames = words.map((w, i) =>
        frame({
          candidates: [candidate(r, w, i === words.length - 1)],
          // Google repeats (cumulative) usage on partial responses; the last one is complete.
          usageMetadata: i === words.length - 1 ? usage(r) : { promptTokenCount: r.promptTokens },
          ...head,
        }),
      );
      const errorFrame = frame({
        error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' },
      });
      return { contentType: 'text/event-stream', frames, errorFrame };
    },
    error(status, spec = {}): HttpAnswer {
      const message = spec.message ?? MESSAGE[status] ?? `Error ${status}.`;
      if (status === 401 && provider === 'gemini') {
        // AI Studio answers a bad API key with 400 INVALID_ARGUMENT and the reason in `details`.
        return {
          status: 400,
          headers: {},
          body: {
            error: {
              code: 400,
              message: 'API key not valid. Please pass a valid API key.',
              status: 'INVALID_ARGUMENT',
              details: [
                {
                  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                  reason: 'API_KEY_INVALID',
                  domain: 'googleapis.com',
                },
              ],
            },
          },
        };
      }
      return {
        status,
        headers: {},
        body: { error: { code: status, message, status: spec.type ?? STATUS[status] ?? 'UNKNOWN' } },
      };
    },
    contextWindow() {
      return dialect.error(400, {
        message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
      });
    },
    contentPolicy(route, _body, r) {
      // Google refuses a prompt with a 200 that has no candidates and says why in promptFeedback (streamed: as
      // the stream's only event).
      const answer = {
        status: 200,
        headers: {},
        body: {
          promptFeedback: {
            blockReason: 'SAFETY',
            safetyRatings: [
              { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
            ],
          },
          usageMetadata: { promptTokenCount: r.promptTokens, totalTokenCount: r.promptTokens },
          modelVersion: r.model,
          responseId: r.id,
        },
      };
      if (route.endpoint !== 'streamGenerateContent') return answer;
      const text = `data: ${JSON.stringify(answer.body)}\r\n\r\n`;
      return { ...answer, headers: { 'content-type': 'text/event-stream' }, text };
    },
  };
  return dialect;
}

function embedInputs(route: FakeRoute, body: Obj): string[] {
  if (route.endpoint === 'predict') {
    return Array.isArray(body.instances) ? (body.instances as Obj[]).map((i) => String(i.content ?? '')) : [];
  }
  if (route.endpoint === 'embedContent') return [texts((body.content as Obj | undefined)?.parts)];
  const reqs = Array.isArray(body.requests) ? (body.requests as Obj[]) : [];
  return reqs.map((q) => texts((q.content as Obj | undefined)?.parts));
}

export const geminiDialect = googleDialect('gemini');
export const vertexDialect = googleDialect('vertex_ai');
