// Pure translation between the OpenAI chat format and Anthropic's Messages API, both directions.
import type { Usage } from './adapter.ts';
import { type FinishReason, type Mapped, MappingError, type Obj, textOf } from './chat-parts.ts';
import { finishMapper } from './finish-reason.ts';
import { unsupportedParams, unsupportedParamsMessage } from './unsupported-params.ts';

export const DEFAULT_MAX_TOKENS = 4096;

/**
 * OpenAI-only parameters with no Anthropic counterpart. As in LiteLLM they are refused (BadRequestError)
 * unless `drop_params` is on; then they are dropped. `n: 1` is accepted either way (it is the default).
 */
const UNSUPPORTED = new Set([
  'n',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'seed',
  'response_format',
  'parallel_tool_calls',
  'service_tier',
  'store',
  'reasoning_effort',
]);
/** The queue's own or the streaming path's keys: never the caller's choice of parameter, always dropped. */
const ALWAYS_DROPPED = new Set(['stream', 'stream_options', 'metadata']);
/** Keys translated explicitly below. */
const MAPPED = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'user',
  'tools',
  'tool_choice',
]);

function imageBlock(part: Obj): Obj {
  const url = typeof part.image_url === 'string' ? part.image_url : (part.image_url as Obj | undefined)?.url;
  if (typeof url !== 'string') throw new MappingError('image_url part without a url');
  const data = /^data:([^;]+);base64,(.*)$/s.exec(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } };
  return { type: 'image', source: { type: 'url', url } };
}

function contentBlocks(content: unknown): Obj[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content.map((p: Obj) => {
    if (p?.type === 'text') return { type: 'text', text: String(p.text ?? '') };
    if (p?.type === 'image_url') return imageBlock(p);
    throw new MappingError(`content part type "${String(p?.type)}" is not supported for anthropic`);
  });
}

function toolUse(call: Obj): Obj {
  const fn = (call.function ?? {}) as Obj;
  let input: unknown = {};
  try {
    input = typeof fn.arguments === 'string' && fn.arguments !== '' ? JSON.parse(fn.arguments) : {};
  } catch {
    throw new MappingError(`tool call ${String(call.id)} has arguments that are not JSON`);
  }
  return { type: 'tool_use', id: call.id, name: fn.name, input };
}

function mapMessages(messages: unknown[]): { system: string[]; messages: Obj[] } {
  const system: string[] = [];
  const out: Obj[] = [];
  for (const raw of messages) {
    const m = raw as Obj;
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(textOf(m.content));
        break;
      case 'user':
        out.push({
          role: 'user',
          content: typeof m.content === 'string' ? m.content : contentBlocks(m.content),
        });
        break;
      case 'assistant': {
        const calls = Array.isArray(m.tool_calls) ? (m.tool_calls as Obj[]) : [];
        if (calls.length === 0 && typeof m.content === 'string') {
          out.push({ role: 'assistant', content: m.content });
        } else {
          out.push({ role: 'assistant', content: [...contentBlocks(m.content), ...calls.map(toolUse)] });
        }
        break;
      }
      case 'tool':
        out.push({
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: m.tool_call_id, content: textOf(m.content) }],
        });
        break;
      default:
        throw new MappingError(`message role "${String(m.role)}" is not supported for anthropic`);
    }
  }
  return { system, messages: out };
}

function mapToolChoice(choice: unknown): Obj | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  const name = ((choice as Obj)?.function as Obj | undefined)?.name;
  if (typeof name === 'string') return { type: 'tool', name };
  throw new MappingError('unsupported tool_choice');
}

/** OpenAI chat body (extra params already merged in) → Anthropic Messages body. */
export function toAnthropicRequest(
  body: Obj,
  model: string,
  opts: { dropParams?: boolean } = {},
): Mapped<Obj> {
  try {
    if (!Array.isArray(body.messages)) throw new MappingError('`messages` must be an array');
    if (typeof body.n === 'number' && body.n > 1)
      throw new MappingError('n > 1 is not supported for anthropic');
    const unsupported = unsupportedParams(body, (k) => UNSUPPORTED.has(k));
    if (unsupported.length > 0 && !opts.dropParams) {
      throw new MappingError(unsupportedParamsMessage('anthropic', unsupported));
    }
    const { system, messages } = mapMessages(body.messages);
    const out: Obj = {};
    for (const [k, v] of Object.entries(body)) {
      if (!UNSUPPORTED.has(k) && !ALWAYS_DROPPED.has(k) && !MAPPED.has(k) && v !== undefined) out[k] = v; // temperature, top_p, top_k, thinking…
    }
    out.model = model;
    out.messages = messages;
    out.max_tokens = body.max_tokens ?? body.max_completion_tokens ?? DEFAULT_MAX_TOKENS;
    if (system.length > 0) out.system = system.join('\n\n');
    if (body.stop !== undefined && body.stop !== null) {
      out.stop_sequences = Array.isArray(body.stop) ? body.stop : [body.stop];
    }
    if (typeof body.user === 'string') out.metadata = { user_id: body.user };
    if (Array.isArray(body.tools)) {
      out.tools = (body.tools as Obj[]).map((t) => {
        const fn = (t.function ?? {}) as Obj;
        return {
          name: fn.name,
          description: fn.description,
          input_schema: fn.parameters ?? { type: 'object' },
        };
      });
    }
    const toolChoice = mapToolChoice(body.tool_choice);
    if (toolChoice) out.tool_choice = toolChoice;
    return { ok: true, value: out };
  } catch (err) {
    if (err instanceof MappingError) return { ok: false, error: err.message };
    throw err;
  }
}

export const ANTHROPIC_FINISH: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export const anthropicFinish = finishMapper(ANTHROPIC_FINISH);

function n(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Anthropic message → OpenAI `chat.completion` with usage; `undefined` when `content` is missing. */
export function fromAnthropicResponse(
  msg: Obj,
  now: number = Date.now(),
): { body: Obj; usage: Usage } | undefined {
  if (!Array.isArray(msg.content)) return undefined;
  const blocks = msg.content as Obj[];
  const text = blocks
    .filter((b) => b.type === 'text')
    .map((b) => String(b.text ?? ''))
    .join('');
  const toolCalls = blocks
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({
      id: b.id,
      type: 'function',
      function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
    }));
  const u = (msg.usage ?? {}) as Obj;
  // Cached prompt tokens are still prompt tokens; Anthropic reports them apart from input_tokens.
  const promptTokens = n(u.input_tokens) + n(u.cache_creation_input_tokens) + n(u.cache_read_input_tokens);
  const completionTokens = n(u.output_tokens);
  const usage: Usage = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
  const message: Obj = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    body: {
      id: msg.id,
      object: 'chat.completion',
      created: Math.floor(now / 1000),
      model: msg.model,
      choices: [{ index: 0, message, finish_reason: anthropicFinish(msg.stop_reason) }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: usage.totalTokens,
      },
    },
    usage,
  };
}
