// Realistic success bodies for each route, built from one reply so JSON and SSE answers agree.
import {
  echoReply,
  embeddingInputs,
  embeddingVector,
  estimateTokens,
  promptText,
  randomId,
} from './content.ts';
import { dialectOf } from './dialects/index.ts';
import { mediaSuccess } from './media.ts';
import type { FakeRoute } from './types.ts';

export interface Reply {
  id: string;
  created: number;
  model: string;
  text: string;
  promptTokens: number;
  completionTokens: number;
  /** Set when the fake answers with a tool call: tools were offered and the turn is a user message. */
  toolCall?: { id: string; name: string; args: Record<string, unknown> };
}

type Obj = Record<string, unknown>;

/**
 * OpenAI and Anthropic requests read the way the other dialects' `turn()` reads theirs: the tools offered
 * (unless `tool_choice` says none) and, when the conversation ends with a tool result, that result's text.
 */
function nativeTurn(route: FakeRoute, body: Obj): { tools: string[]; toolResult?: string } {
  const offered = Array.isArray(body.tools) ? (body.tools as Obj[]) : [];
  const none = body.tool_choice === 'none' || (body.tool_choice as Obj | undefined)?.type === 'none';
  const tools = none
    ? []
    : offered.map((t) =>
        String(route.provider === 'anthropic' ? t.name : (t.function as Obj | undefined)?.name),
      );
  const last = (Array.isArray(body.messages) ? (body.messages as Obj[]) : []).at(-1);
  if (last?.role === 'tool') return { tools, toolResult: partText(last.content) };
  const blocks = Array.isArray(last?.content) ? (last.content as Obj[]) : [];
  const result = blocks.find((b) => b?.type === 'tool_result');
  return result ? { tools, toolResult: partText(result.content) } : { tools };
}

function partText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (typeof (p as Obj)?.text === 'string' ? String((p as Obj).text) : '')).join('');
}

export function makeReply(route: FakeRoute, body: Record<string, unknown>, model: string): Reply {
  const dialect = dialectOf(route.provider);
  if (dialect) {
    // Offered tools and a user turn: call the first tool; a tool result: answer about it in text.
    const t = dialect.turn(route, body);
    const toolName = t.toolResult === undefined ? t.tools[0] : undefined;
    const text = `echo: ${(t.toolResult ?? t.lastUser).slice(0, 200)}`;
    const args = { echo: t.lastUser.slice(0, 200) };
    return {
      id: randomId(route.provider === 'cohere' ? '' : 'resp_'),
      created: Math.floor(Date.now() / 1000),
      model: route.model ?? (typeof body.model === 'string' ? body.model : model),
      text,
      promptTokens: estimateTokens(t.prompt),
      completionTokens: estimateTokens(toolName === undefined ? text : JSON.stringify(args)),
      ...(toolName === undefined ? {} : { toolCall: { id: randomId('call_'), name: toolName, args } }),
    };
  }
  const t = nativeTurn(route, body);
  const text = t.toolResult === undefined ? echoReply(body) : `echo: ${t.toolResult.slice(0, 200)}`;
  const toolName = t.toolResult === undefined ? t.tools[0] : undefined;
  const args = { echo: echoReply(body).slice('echo: '.length) };
  const prefix =
    route.provider === 'anthropic' ? 'msg_' : route.endpoint === 'completions' ? 'cmpl-' : 'chatcmpl-';
  return {
    id: randomId(prefix),
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === 'string' ? body.model : model,
    text,
    promptTokens: estimateTokens(promptText(body)),
    completionTokens: estimateTokens(toolName === undefined ? text : JSON.stringify(args)),
    ...(toolName === undefined
      ? {}
      : {
          toolCall: {
            id: randomId(route.provider === 'anthropic' ? 'toolu_' : 'call_'),
            name: toolName,
            args,
          },
        }),
  };
}

function openAIUsage(r: Reply) {
  return {
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    total_tokens: r.promptTokens + r.completionTokens,
  };
}

export function successBody(route: FakeRoute, body: Record<string, unknown>, r: Reply): unknown {
  const dialect = dialectOf(route.provider);
  if (dialect) return dialect.success(route, body, r);
  switch (route.endpoint) {
    case 'messages':
      return {
        id: r.id,
        type: 'message',
        role: 'assistant',
        model: r.model,
        content: r.toolCall
          ? [{ type: 'tool_use', id: r.toolCall.id, name: r.toolCall.name, input: r.toolCall.args }]
          : [{ type: 'text', text: r.text }],
        stop_reason: r.toolCall ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: r.promptTokens, output_tokens: r.completionTokens },
      };
    case 'chat.completions':
      return {
        id: r.id,
        object: 'chat.completion',
        created: r.created,
        model: r.model,
        system_fingerprint: 'fp_fake',
        choices: [
          {
            index: 0,
            message: r.toolCall
              ? {
                  role: 'assistant',
                  content: null,
                  refusal: null,
                  tool_calls: [
                    {
                      id: r.toolCall.id,
                      type: 'function',
                      function: { name: r.toolCall.name, arguments: JSON.stringify(r.toolCall.args) },
                    },
                  ],
                }
              : { role: 'assistant', content: r.text, refusal: null },
            logprobs: null,
            finish_reason: r.toolCall ? 'tool_calls' : 'stop',
          },
        ],
        usage: openAIUsage(r),
      };
    case 'completions':
      return {
        id: r.id,
        object: 'text_completion',
        created: r.created,
        model: r.model,
        choices: [{ text: r.text, index: 0, logprobs: null, finish_reason: 'stop' }],
        usage: openAIUsage(r),
      };
    case 'embeddings': {
      const inputs = embeddingInputs(body.input);
      const dims =
        typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.min(body.dimensions, 4096) : 8;
      const tokens = inputs.reduce((n, s) => n + estimateTokens(s), 0);
      return {
        object: 'list',
        data: inputs.map((s, index) => ({
          object: 'embedding',
          index,
          embedding: encodeEmbedding(embeddingVector(s, dims), body.encoding_format),
        })),
        model: r.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    }
    default:
      return mediaSuccess(route.endpoint, body, r.model) ?? {};
  }
}

/** OpenAI's `encoding_format: base64` is little-endian float32 bytes; the official SDK asks for it by default. */
function encodeEmbedding(vector: number[], format: unknown): number[] | string {
  if (format !== 'base64') return vector;
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}
