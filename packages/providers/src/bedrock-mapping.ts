// Pure translation between the OpenAI format and Bedrock's Converse API, plus Bedrock's embedding models
// (Titan and Cohere via InvokeModel).
import type { Usage } from './adapter.ts';
import { appendTurn, type Turn } from './alternating-turns.ts';
import {
  chatCompletion,
  contentParts,
  type FinishReason,
  MappingError,
  messagesOf,
  type Obj,
  refuseN,
  textOf,
  toolCallOut,
  toolCallsOf,
  toolChoiceOf,
  toolDefsOf,
} from './chat-parts.ts';
import { finishMapper } from './finish-reason.ts';
import { type GenerationNames, generationParams } from './generation-params.ts';
import { num } from './json-body.ts';
import { embeddingTexts } from './openai-embeddings.ts';
import { toolResultObject } from './tool-result-object.ts';

/** Converse's `inferenceConfig` names; other sampling knobs are model-specific (below). */
const INFERENCE: GenerationNames = {
  renamed: { temperature: 'temperature', top_p: 'topP' },
  maxTokens: 'maxTokens',
  stop: 'stopSequences',
};

const IMAGE_FORMATS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

function userBlocks(content: unknown): Obj[] {
  return contentParts(content, 'bedrock').flatMap((p): Obj[] => {
    if (p.kind === 'text') return p.text === '' ? [] : [{ text: p.text }];
    // Converse takes image bytes only; fetching a link is not a router's job (LiteLLM downloads it).
    if (p.image.kind !== 'base64') throw new MappingError('bedrock takes images as data: URLs only');
    const format = IMAGE_FORMATS[p.image.mediaType];
    if (!format) throw new MappingError(`bedrock does not take ${p.image.mediaType} images`);
    return [{ image: { format, source: { bytes: p.image.data } } }];
  });
}

/** A tool result as a Converse block: JSON objects as `json`, anything else as text. */
function toolResult(m: Obj): Obj {
  const text = textOf(m.content);
  const json = toolResultObject(text);
  return { toolResult: { toolUseId: String(m.tool_call_id ?? ''), content: [json ? { json } : { text }] } };
}

/** OpenAI chat → Converse body (the model is in the URL). */
export function toConverseRequest(body: Obj): Obj {
  refuseN(body, 'bedrock');
  const system: Obj[] = [];
  const turns: Turn[] = [];
  const push = (role: string, blocks: Obj[]) => appendTurn(turns, role, blocks);
  for (const m of messagesOf(body)) {
    switch (m.role) {
      case 'system':
      case 'developer': {
        const text = textOf(m.content);
        if (text !== '') system.push({ text });
        break;
      }
      case 'user':
        push('user', userBlocks(m.content));
        break;
      case 'assistant': {
        const text = textOf(m.content);
        push('assistant', [
          ...(text === '' ? [] : [{ text }]),
          ...toolCallsOf(m).map((c) => ({ toolUse: { toolUseId: c.id, name: c.name, input: c.args } })),
        ]);
        break;
      }
      case 'tool':
        push('user', [toolResult(m)]);
        break;
      default:
        throw new MappingError(`message role "${String(m.role)}" is not supported for bedrock`);
    }
  }
  const out: Obj = { messages: turns.map((t) => ({ role: t.role, content: t.items })) };
  if (system.length > 0) out.system = system;
  const inference = generationParams(body, INFERENCE);
  if (Object.keys(inference).length > 0) out.inferenceConfig = inference;
  // Model-specific knobs Converse has no field for go to the model as is (Anthropic's top_k, …).
  if (body.top_k !== undefined) out.additionalModelRequestFields = { top_k: body.top_k };
  const tools = toolDefsOf(body);
  if (tools) {
    const config: Obj = {
      tools: tools.map((t) => ({
        toolSpec: {
          name: t.name,
          ...(t.description === undefined ? {} : { description: t.description }),
          inputSchema: { json: t.parameters },
        },
      })),
    };
    const choice = toolChoiceOf(body);
    // Converse has no "none": the tools stay declared (earlier toolUse blocks need them) and the model chooses.
    if (choice?.mode === 'auto') config.toolChoice = { auto: {} };
    else if (choice?.mode === 'required') config.toolChoice = { any: {} };
    else if (choice?.mode === 'tool') config.toolChoice = { tool: { name: choice.name } };
    out.toolConfig = config;
  }
  return out;
}

const FINISH: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

export const converseFinish = finishMapper(FINISH);

/** Cached prompt tokens (read or written) are still prompt tokens. */
export function converseUsage(usage: unknown): { promptTokens: number; completionTokens: number } {
  const u = (usage ?? {}) as Obj;
  return {
    promptTokens: num(u.inputTokens) + num(u.cacheReadInputTokens) + num(u.cacheWriteInputTokens),
    completionTokens: num(u.outputTokens),
  };
}

/** Converse answer → `chat.completion`; undefined when there is no output message. */
export function fromConverseResponse(
  res: Obj,
  model: string,
  id: string,
  now: number = Date.now(),
): { body: Obj; usage: Usage } | undefined {
  const message = ((res.output ?? {}) as Obj).message as Obj | undefined;
  if (!message || !Array.isArray(message.content)) return undefined;
  const blocks = message.content as Obj[];
  return chatCompletion(
    {
      id,
      model,
      text: blocks
        .filter((b) => typeof b.text === 'string')
        .map((b) => String(b.text))
        .join(''),
      toolCalls: blocks
        .filter((b) => b.toolUse && typeof b.toolUse === 'object')
        .map((b) => {
          const t = b.toolUse as Obj;
          return toolCallOut(t.toolUseId, t.name, t.input);
        }),
      finishReason: converseFinish(res.stopReason),
      ...converseUsage(res.usage),
    },
    now,
  );
}

export type BedrockEmbedFamily = 'titan' | 'cohere';

/** Which InvokeModel body an embedding model takes; undefined for models Switchyard cannot embed with. */
export function embedFamily(model: string): BedrockEmbedFamily | undefined {
  const bare = model.replace(/^[a-z]{2}\./, ''); // cross-region inference profiles: `us.cohere.embed-…`
  if (bare.startsWith('amazon.titan-embed')) return 'titan';
  if (bare.startsWith('cohere.embed')) return 'cohere';
  return undefined;
}

/** Titan embeds one text a call; Cohere takes the list. */
export function toBedrockEmbed(family: BedrockEmbedFamily, body: Obj): Obj[] {
  const texts = embeddingTexts(body, 'bedrock');
  if (family === 'titan') {
    return texts.map((inputText) => ({
      inputText,
      ...(typeof body.dimensions === 'number' ? { dimensions: body.dimensions } : {}),
    }));
  }
  return [{ texts, input_type: typeof body.input_type === 'string' ? body.input_type : 'search_document' }];
}

/** The vectors and prompt tokens of one InvokeModel answer (Cohere v3 lists, v4 `{float: [...]}`). */
export function fromBedrockEmbed(
  family: BedrockEmbedFamily,
  res: Obj,
): { vectors: unknown[]; tokens: number } | undefined {
  if (family === 'titan') {
    return Array.isArray(res.embedding)
      ? { vectors: [res.embedding], tokens: num(res.inputTextTokenCount) }
      : undefined;
  }
  const e = res.embeddings;
  const vectors = Array.isArray(e)
    ? e
    : Array.isArray((e as Obj | undefined)?.float)
      ? ((e as Obj).float as unknown[])
      : undefined;
  return vectors ? { vectors, tokens: 0 } : undefined;
}
