// Cohere v2: /v2/chat (JSON, or SSE with `stream: true`), /v2/embed, /v2/rerank; errors are `{id, message}`.
import type { Reply } from '../bodies.ts';
import { embeddingVector, estimateTokens, randomId } from '../content.ts';
import type { HttpAnswer } from '../error-bodies.ts';
import type { FakeRoute } from '../types.ts';
import { type Dialect, type Obj, overlapScore, partText, pieces, sse } from './dialect.ts';

const PATHS: Record<string, FakeRoute['endpoint']> = {
  '/v2/chat': 'chat',
  '/v2/embed': 'embed',
  '/v2/rerank': 'rerank',
};

function usage(r: Reply): Obj {
  return {
    billed_units: { input_tokens: r.promptTokens, output_tokens: r.completionTokens },
    tokens: { input_tokens: r.promptTokens + 200, output_tokens: r.completionTokens },
  };
}

function toolCall(r: Reply, id: string): Obj | undefined {
  return r.toolCall
    ? {
        id,
        type: 'function',
        function: { name: r.toolCall.name, arguments: JSON.stringify(r.toolCall.args) },
      }
    : undefined;
}

const meta = (extra: Obj = {}) => ({ api_version: { version: '2' }, ...extra });

export const cohereDialect: Dialect = {
  provider: 'cohere',
  route(method, url) {
    const endpoint = method === 'POST' ? PATHS[url.pathname] : undefined;
    return endpoint ? { provider: 'cohere', endpoint } : undefined;
  },
  turn(route, body) {
    if (route.endpoint === 'embed') {
      const texts = Array.isArray(body.texts) ? body.texts.map(String) : [];
      return { lastUser: texts.at(-1) ?? '', prompt: texts.join('\n'), tools: [] };
    }
    if (route.endpoint === 'rerank') {
      const docs = Array.isArray(body.documents)
        ? body.documents.map((d) => (typeof d === 'string' ? d : JSON.stringify(d)))
        : [];
      return { lastUser: String(body.query ?? ''), prompt: [body.query, ...docs].join('\n'), tools: [] };
    }
    const messages = Array.isArray(body.messages) ? (body.messages as Obj[]) : [];
    const last = messages.at(-1);
    const tools = Array.isArray(body.tools)
      ? (body.tools as Obj[]).map((t) => String((t.function as Obj)?.name))
      : [];
    const turn = {
      lastUser: partText(messages.filter((m) => m.role === 'user').at(-1)?.content),
      prompt: messages.map((m) => partText(m.content)).join('\n'),
      tools: body.tool_choice === 'NONE' ? [] : tools,
    };
    return last?.role === 'tool' ? { ...turn, toolResult: partText(last.content) } : turn;
  },
  success(route, body, r) {
    if (route.endpoint === 'embed') {
      const texts = Array.isArray(body.texts) ? body.texts.map(String) : [];
      const dims = typeof body.output_dimension === 'number' ? body.output_dimension : 8;
      return {
        id: r.id,
        embeddings: { float: texts.map((t) => embeddingVector(t, dims)) },
        texts,
        meta: meta({ billed_units: { input_tokens: texts.reduce((n, t) => n + estimateTokens(t), 0) } }),
        response_type: 'embeddings_by_type',
      };
    }
    if (route.endpoint === 'rerank') {
      const docs = Array.isArray(body.documents)
        ? body.documents.map((d) => (typeof d === 'string' ? d : JSON.stringify(d)))
        : [];
      const ranked = docs
        .map((d, index) => ({ index, relevance_score: overlapScore(String(body.query ?? ''), d) }))
        .sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
      const top = typeof body.top_n === 'number' ? ranked.slice(0, body.top_n) : ranked;
      return { id: r.id, results: top, meta: meta({ billed_units: { search_units: 1 } }) };
    }
    const call = toolCall(r, randomId('call_'));
    const message: Obj = call
      ? { role: 'assistant', tool_plan: `I will call ${r.toolCall?.name}.`, tool_calls: [call] }
      : { role: 'assistant', content: [{ type: 'text', text: r.text }] };
    return { id: r.id, message, finish_reason: call ? 'TOOL_CALL' : 'COMPLETE', usage: usage(r) };
  },
  stream(route, body, r) {
    if (route.endpoint !== 'chat' || body.stream !== true) return undefined;
    const frames: string[] = [];
    const ev = (obj: Obj) => frames.push(sse(obj, String(obj.type)));
    ev({
      type: 'message-start',
      id: r.id,
      delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
    });
    const call = toolCall(r, randomId('call_'));
    if (call) {
      const fn = call.function as Obj;
      ev({ type: 'tool-plan-delta', delta: { message: { tool_plan: `I will call ${r.toolCall?.name}.` } } });
      ev({
        type: 'tool-call-start',
        index: 0,
        delta: { message: { tool_calls: { ...call, function: { name: fn.name, arguments: '' } } } },
      });
      const args = String(fn.arguments);
      const half = Math.floor(args.length / 2);
      for (const part of [args.slice(0, half), args.slice(half)]) {
        ev({
          type: 'tool-call-delta',
          index: 0,
          delta: { message: { tool_calls: { function: { arguments: part } } } },
        });
      }
      ev({ type: 'tool-call-end', index: 0 });
    } else {
      ev({ type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } });
      for (const text of pieces(r.text))
        ev({ type: 'content-delta', index: 0, delta: { message: { content: { text } } } });
      ev({ type: 'content-end', index: 0 });
    }
    ev({ type: 'message-end', delta: { finish_reason: call ? 'TOOL_CALL' : 'COMPLETE', usage: usage(r) } });
    return { contentType: 'text/event-stream', frames };
  },
  error(status, spec = {}): HttpAnswer {
    const defaults: Record<number, string> = {
      400: 'invalid request',
      401: 'invalid api token',
      404: "model 'unknown' not found, make sure the correct model ID was used and that you have access to the model.",
      429: "You are using a Trial key, which is limited to 10 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'.",
      500: 'internal server error, this has been reported to our developers.',
      503: 'service unavailable',
    };
    return {
      status,
      headers: {},
      body: { id: randomId(''), message: spec.message ?? defaults[status] ?? `error ${status}` },
    };
  },
  contextWindow() {
    return this.error(400, {
      message:
        'too many tokens: total number of tokens in the prompt cannot exceed 128000 - received 130211. Try using a shorter prompt, or enabling prompt truncating.',
    });
  },
  contentPolicy() {
    return this.error(400, { message: 'blocked by safety mode: the request was flagged as unsafe content' });
  },
};
