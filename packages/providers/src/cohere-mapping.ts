// Pure translation between the OpenAI format and Cohere's v2 API (/v2/chat, /v2/embed, /v2/rerank).
import type { Usage } from './adapter.ts';
import {
  chatCompletion,
  contentParts,
  type FinishReason,
  MappingError,
  messagesOf,
  type Obj,
  refuseN,
  textOf,
  toolCallsOf,
  toolChoiceOf,
  toolDefsOf,
} from './chat-parts.ts';
import { finishMapper } from './finish-reason.ts';
import { type GenerationNames, generationParams } from './generation-params.ts';
import { num } from './json-body.ts';
import { embeddingList, embeddingTexts } from './openai-embeddings.ts';

/** Same meaning, Cohere's name. */
const NAMES: GenerationNames = {
  renamed: {
    temperature: 'temperature',
    top_p: 'p',
    top_k: 'k',
    seed: 'seed',
    presence_penalty: 'presence_penalty',
    frequency_penalty: 'frequency_penalty',
    response_format: 'response_format',
    safety_mode: 'safety_mode',
    documents: 'documents',
    citation_options: 'citation_options',
  },
  maxTokens: 'max_tokens',
  stop: 'stop_sequences',
};

function userContent(content: unknown): unknown {
  if (typeof content === 'string') return content;
  return contentParts(content, 'cohere').map((p) =>
    p.kind === 'text'
      ? { type: 'text', text: p.text }
      : {
          type: 'image_url',
          image_url: {
            url: p.image.kind === 'url' ? p.image.url : `data:${p.image.mediaType};base64,${p.image.data}`,
          },
        },
  );
}

/** OpenAI chat → Cohere v2 chat. The v2 message shape is OpenAI's, so roles and tool calls pass almost as is. */
export function toCohereChat(body: Obj, model: string): Obj {
  refuseN(body, 'cohere');
  const messages = messagesOf(body).map((m) => {
    switch (m.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: textOf(m.content) };
      case 'user':
        return { role: 'user', content: userContent(m.content) };
      case 'assistant': {
        const calls = toolCallsOf(m);
        const out: Obj = { role: 'assistant' };
        const text = textOf(m.content);
        if (text !== '') out.content = text;
        if (calls.length > 0) {
          out.tool_calls = calls.map((c) => ({
            id: c.id,
            type: 'function',
            function: { name: c.name, arguments: JSON.stringify(c.args) },
          }));
        }
        return out;
      }
      case 'tool':
        return { role: 'tool', tool_call_id: m.tool_call_id, content: textOf(m.content) };
      default:
        throw new MappingError(`message role "${String(m.role)}" is not supported for cohere`);
    }
  });
  const out = generationParams(body, NAMES, { model, messages, stream: false });
  const tools = toolDefsOf(body);
  if (tools) out.tools = tools.map((t) => ({ type: 'function', function: t }));
  const choice = toolChoiceOf(body);
  // Cohere knows REQUIRED and NONE; one named tool is expressed by offering only that tool.
  if (choice?.mode === 'required') out.tool_choice = 'REQUIRED';
  else if (choice?.mode === 'none') out.tool_choice = 'NONE';
  else if (choice?.mode === 'tool' && Array.isArray(out.tools)) {
    out.tools = (out.tools as Obj[]).filter((t) => (t.function as Obj).name === choice.name);
    out.tool_choice = 'REQUIRED';
  }
  return out;
}

const FINISH: Readonly<Record<string, FinishReason>> = {
  COMPLETE: 'stop',
  STOP_SEQUENCE: 'stop',
  MAX_TOKENS: 'length',
  TOOL_CALL: 'tool_calls',
  ERROR_TOXIC: 'content_filter',
};

export const cohereFinish = finishMapper(FINISH);

/** Billed tokens are what Cohere charges for; raw `tokens` include its prompt template. */
export function cohereUsage(usage: unknown): { promptTokens: number; completionTokens: number } {
  const u = (usage ?? {}) as Obj;
  const billed = (u.billed_units ?? {}) as Obj;
  const tokens = (u.tokens ?? {}) as Obj;
  return {
    promptTokens: num(billed.input_tokens) || num(tokens.input_tokens),
    completionTokens: num(billed.output_tokens) || num(tokens.output_tokens),
  };
}

export function fromCohereChat(res: Obj, now: number = Date.now()): { body: Obj; usage: Usage } | undefined {
  const message = res.message as Obj | undefined;
  if (!message || typeof message !== 'object') return undefined;
  const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as Obj[]) : [];
  const usage = cohereUsage(res.usage);
  return chatCompletion(
    {
      id: String(res.id ?? ''),
      model: String(res.model ?? ''),
      text: textOf(message.content),
      toolCalls: calls.map((c) => {
        const fn = (c.function ?? {}) as Obj;
        return {
          id: String(c.id ?? ''),
          name: String(fn.name ?? ''),
          arguments: String(fn.arguments ?? '{}'),
        };
      }),
      finishReason: cohereFinish(res.finish_reason),
      ...usage,
    },
    now,
  );
}

/** OpenAI embeddings → Cohere v2 embed. Cohere needs an input type; LiteLLM's default is `search_document`. */
export function toCohereEmbed(body: Obj, model: string): Obj {
  const out: Obj = {
    model,
    texts: embeddingTexts(body, 'cohere'),
    input_type: typeof body.input_type === 'string' ? body.input_type : 'search_document',
    embedding_types: ['float'],
  };
  if (typeof body.dimensions === 'number') out.output_dimension = body.dimensions;
  if (body.truncate !== undefined) out.truncate = body.truncate;
  return out;
}

export function fromCohereEmbed(res: Obj, model: string): { body: Obj; usage: Usage } | undefined {
  const vectors = ((res.embeddings ?? {}) as Obj).float;
  if (!Array.isArray(vectors)) return undefined;
  const promptTokens = num(((res.meta as Obj | undefined)?.billed_units as Obj | undefined)?.input_tokens);
  return embeddingList(vectors, model, promptTokens);
}

/** LiteLLM's rerank request (Cohere's own shape) → Cohere v2 rerank; documents may be strings or `{text}`. */
export function toCohereRerank(body: Obj, model: string): Obj {
  if (typeof body.query !== 'string') throw new MappingError('rerank needs a string `query`');
  if (!Array.isArray(body.documents)) throw new MappingError('rerank needs a `documents` list');
  const documents = (body.documents as unknown[]).map((d) =>
    typeof d === 'string'
      ? d
      : typeof (d as Obj)?.text === 'string'
        ? String((d as Obj).text)
        : JSON.stringify(d),
  );
  const out: Obj = { model, query: body.query, documents };
  if (typeof body.top_n === 'number') out.top_n = body.top_n;
  if (typeof body.max_tokens_per_doc === 'number') out.max_tokens_per_doc = body.max_tokens_per_doc;
  return out;
}

/** Cohere rerank answer → LiteLLM's RerankResponse (`results[{index, relevance_score, document?}]`, `meta`). */
export function fromCohereRerank(res: Obj, request: Obj): { body: Obj; usage: Usage } | undefined {
  if (!Array.isArray(res.results)) return undefined;
  const docs = Array.isArray(request.documents) ? (request.documents as unknown[]) : [];
  const results = (res.results as Obj[]).map((r) => {
    const out: Obj = { index: r.index, relevance_score: r.relevance_score };
    if (request.return_documents === true) {
      const d = docs[num(r.index)];
      out.document = { text: typeof d === 'string' ? d : (d as Obj | undefined)?.text };
    }
    return out;
  });
  // Cohere bills rerank per search unit (LiteLLM's input_cost_per_query).
  const billed = ((res.meta as Obj | undefined)?.billed_units ?? {}) as Obj;
  const usage: Usage = {
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    units: { queries: num(billed.search_units) || 1 },
  };
  return { body: { id: res.id, results, meta: res.meta ?? {} }, usage };
}
