// Ollama's native API: /api/chat, /api/generate, /api/embed; streams NDJSON unless `stream: false`.
import type { Reply } from '../bodies.ts';
import { embeddingInputs, embeddingVector, estimateTokens } from '../content.ts';
import type { HttpAnswer } from '../error-bodies.ts';
import type { FakeRoute } from '../types.ts';
import { type Dialect, type Obj, partText, pieces } from './dialect.ts';

const PATHS: Record<string, FakeRoute['endpoint']> = {
  '/api/chat': 'chat',
  '/api/generate': 'generate',
  '/api/embed': 'embed',
};

function counts(r: Reply): Obj {
  return {
    total_duration: 1_000_000,
    load_duration: 100_000,
    prompt_eval_count: r.promptTokens,
    prompt_eval_duration: 200_000,
    eval_count: r.completionTokens,
    eval_duration: 700_000,
  };
}

function message(r: Reply): Obj {
  if (r.toolCall)
    return {
      role: 'assistant',
      content: '',
      tool_calls: [{ function: { name: r.toolCall.name, arguments: r.toolCall.args } }],
    };
  return { role: 'assistant', content: r.text };
}

export const ollamaDialect: Dialect = {
  provider: 'ollama',
  route(method, url) {
    const endpoint = method === 'POST' ? PATHS[url.pathname] : undefined;
    return endpoint ? { provider: 'ollama', endpoint } : undefined;
  },
  turn(route, body) {
    if (route.endpoint !== 'chat') {
      const prompt =
        route.endpoint === 'embed' ? embeddingInputs(body.input).join('\n') : String(body.prompt ?? '');
      // LiteLLM's ollama_pt renders chats as `### User:\n<text>\n\n` blocks; a plain prompt is the user text.
      const at = prompt.lastIndexOf('### User:\n');
      const lastUser = at < 0 ? prompt : (prompt.slice(at + 10).split('\n\n')[0] ?? '');
      return { lastUser, prompt: `${String(body.system ?? '')}\n${prompt}`, tools: [] };
    }
    const messages = Array.isArray(body.messages) ? (body.messages as Obj[]) : [];
    const users = messages.filter((m) => m.role === 'user');
    const last = messages.at(-1);
    const tools = Array.isArray(body.tools)
      ? (body.tools as Obj[]).map((t) => String((t.function as Obj)?.name))
      : [];
    const turn = {
      lastUser: partText(users.at(-1)?.content),
      prompt: messages.map((m) => partText(m.content)).join('\n'),
      tools,
    };
    return last?.role === 'tool' ? { ...turn, toolResult: partText(last.content) } : turn;
  },
  success(route, body, r) {
    const head = { model: r.model, created_at: new Date(r.created * 1000).toISOString() };
    if (route.endpoint === 'embed') {
      const inputs = embeddingInputs(body.input);
      const dims = typeof body.dimensions === 'number' ? body.dimensions : 8;
      return {
        model: r.model,
        embeddings: inputs.map((s) => embeddingVector(s, dims)),
        total_duration: 1_000_000,
        load_duration: 100_000,
        prompt_eval_count: inputs.reduce((n, s) => n + estimateTokens(s), 0),
      };
    }
    if (route.endpoint === 'generate') {
      return { ...head, response: r.text, done: true, done_reason: 'stop', context: [1, 2, 3], ...counts(r) };
    }
    return { ...head, message: message(r), done: true, done_reason: 'stop', ...counts(r) };
  },
  stream(route, body, r) {
    if (body.stream === false || route.endpoint === 'embed') return undefined;
    const head = { model: r.model, created_at: new Date(r.created * 1000).toISOString() };
    const key = route.endpoint === 'chat' ? 'message' : 'response';
    const lines: Obj[] = [];
    if (r.toolCall && route.endpoint === 'chat') lines.push({ ...head, message: message(r), done: false });
    else {
      for (const p of pieces(r.text)) {
        lines.push({
          ...head,
          [key]: key === 'message' ? { role: 'assistant', content: p } : p,
          done: false,
        });
      }
    }
    lines.push({
      ...head,
      [key]: key === 'message' ? { role: 'assistant', content: '' } : '',
      done: true,
      done_reason: 'stop',
      ...counts(r),
    });
    return {
      contentType: 'application/x-ndjson',
      frames: lines.map((l) => `${JSON.stringify(l)}\n`),
      // Ollama reports a failure mid-answer as one more line.
      errorFrame: `${JSON.stringify({ error: 'an error was encountered while running the model' })}\n`,
    };
  },
  error(status, spec = {}): HttpAnswer {
    const message =
      spec.message ??
      (status === 404
        ? 'model "unknown" not found, try pulling it first'
        : status === 401
          ? 'unauthorized'
          : `error ${status}`);
    return { status, headers: {}, body: { error: message } };
  },
  contextWindow() {
    return this.error(400, { message: 'the input length exceeds the context length' });
  },
  contentPolicy() {
    // Local models have no safety system; a proxy in front of Ollama refusing the prompt looks like this.
    return this.error(400, { message: 'request blocked by safety policy' });
  },
};
