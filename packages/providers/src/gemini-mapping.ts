// Pure translation between the OpenAI format and Google's generateContent API, shared by Gemini (AI Studio)
// and Vertex AI, plus their two embedding APIs (batchEmbedContents on AI Studio, predict on Vertex).
import type { Usage } from './adapter.ts';
import { appendTurn, type Turn } from './alternating-turns.ts';
import {
  chatCompletion,
  contentParts,
  type FinishReason,
  type ImageRef,
  MappingError,
  messagesOf,
  newToolCallId,
  type Obj,
  refuseN,
  textOf,
  toolCallOut,
  toolCallsOf,
  toolChoiceOf,
  toolDefsOf,
} from './chat-parts.ts';
import { type GenerationNames, generationParams } from './generation-params.ts';
import { num } from './json-body.ts';
import { embeddingList, embeddingTexts } from './openai-embeddings.ts';
import { toolResultObject } from './tool-result-object.ts';

/** OpenAI generation parameters → generationConfig fields. */
const GENERATION: GenerationNames = {
  renamed: {
    temperature: 'temperature',
    top_p: 'topP',
    top_k: 'topK',
    presence_penalty: 'presencePenalty',
    frequency_penalty: 'frequencyPenalty',
    seed: 'seed',
  },
  maxTokens: 'maxOutputTokens',
  stop: 'stopSequences',
};

const MIME_BY_EXT: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  pdf: 'application/pdf',
};

function imagePart(image: ImageRef): Obj {
  if (image.kind === 'base64') return { inlineData: { mimeType: image.mediaType, data: image.data } };
  // Links go by reference (gs:// and https URIs); Google fetches them, we never do.
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(image.url)?.[1]?.toLowerCase() ?? '';
  return { fileData: { mimeType: MIME_BY_EXT[ext] ?? 'image/jpeg', fileUri: image.url } };
}

function userParts(content: unknown): Obj[] {
  return contentParts(content, 'gemini').map((p) =>
    p.kind === 'text' ? { text: p.text } : imagePart(p.image),
  );
}

/** A tool result's content as the object Gemini wants in `functionResponse.response`. */
function toolResponse(content: unknown): Obj {
  const text = textOf(content);
  return toolResultObject(text) ?? { content: text };
}

function generationConfig(body: Obj): Obj | undefined {
  const out = generationParams(body, GENERATION);
  const rf = body.response_format as Obj | undefined;
  if (rf?.type === 'json_object' || rf?.type === 'json_schema') out.responseMimeType = 'application/json';
  if (rf?.type === 'json_schema') {
    const schema = ((rf.json_schema ?? {}) as Obj).schema;
    if (schema !== undefined) out.responseJsonSchema = schema;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** OpenAI chat → generateContent body (the model is in the URL). */
export function toGeminiRequest(body: Obj): Obj {
  refuseN(body, 'gemini');
  const system: Obj[] = [];
  const turns: Turn[] = [];
  const toolNames = new Map<string, string>();
  const push = (role: string, parts: Obj[]) => appendTurn(turns, role, parts);
  for (const m of messagesOf(body)) {
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push({ text: textOf(m.content) });
        break;
      case 'user':
        push('user', userParts(m.content));
        break;
      case 'assistant': {
        const calls = toolCallsOf(m);
        for (const c of calls) toolNames.set(c.id, c.name);
        const text = textOf(m.content);
        push('model', [
          ...(text === '' ? [] : [{ text }]),
          ...calls.map((c) => ({ functionCall: { name: c.name, args: c.args } })),
        ]);
        break;
      }
      case 'tool': {
        const name =
          toolNames.get(String(m.tool_call_id)) ?? (typeof m.name === 'string' ? m.name : undefined);
        if (name === undefined) {
          throw new MappingError(`tool message ${String(m.tool_call_id)} answers no earlier tool call`);
        }
        push('user', [{ functionResponse: { name, response: toolResponse(m.content) } }]);
        break;
      }
      default:
        throw new MappingError(`message role "${String(m.role)}" is not supported for gemini`);
    }
  }
  const out: Obj = { contents: turns.map((t) => ({ role: t.role, parts: t.items })) };
  if (system.length > 0) out.systemInstruction = { parts: system };
  const gen = generationConfig(body);
  if (gen) out.generationConfig = gen;
  const tools = toolDefsOf(body);
  if (tools) {
    out.tools = [
      {
        functionDeclarations: tools.map((t) => ({
          name: t.name,
          ...(t.description === undefined ? {} : { description: t.description }),
          // Full JSON Schema, so OpenAI tool schemas need no rewriting into Google's OpenAPI subset.
          parametersJsonSchema: t.parameters,
        })),
      },
    ];
  }
  const choice = toolChoiceOf(body);
  if (choice) {
    const mode = { auto: 'AUTO', none: 'NONE', required: 'ANY', tool: 'ANY' }[choice.mode];
    out.toolConfig = {
      functionCallingConfig:
        choice.mode === 'tool' ? { mode, allowedFunctionNames: [choice.name] } : { mode },
    };
  }
  if (Array.isArray(body.safety_settings)) out.safetySettings = body.safety_settings;
  return out;
}

const SAFETY_FINISH = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
]);

export function geminiFinish(reason: unknown): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (SAFETY_FINISH.has(String(reason))) return 'content_filter';
  return 'stop';
}

/** Thinking tokens are billed as output, so they count as completion tokens. */
export function geminiUsage(meta: unknown): { promptTokens: number; completionTokens: number } {
  const u = (meta ?? {}) as Obj;
  return {
    promptTokens: num(u.promptTokenCount),
    completionTokens: num(u.candidatesTokenCount) + num(u.thoughtsTokenCount),
  };
}

export type GeminiRead =
  | { kind: 'ok'; body: Obj; usage: Usage }
  /** Nothing produced because a safety rule fired (prompt or output): a ContentPolicyViolationError. */
  | { kind: 'blocked'; reason: string }
  | { kind: 'malformed' };

/** generateContent answer → `chat.completion`. */
export function fromGeminiResponse(res: Obj, model: string, now: number = Date.now()): GeminiRead {
  const candidates = Array.isArray(res.candidates) ? (res.candidates as Obj[]) : undefined;
  const feedback = (res.promptFeedback ?? {}) as Obj;
  if (!candidates || candidates.length === 0) {
    if (typeof feedback.blockReason === 'string')
      return { kind: 'blocked', reason: `prompt blocked (${feedback.blockReason})` };
    return { kind: 'malformed' };
  }
  const cand = candidates[0]!;
  const parts = Array.isArray((cand.content as Obj | undefined)?.parts)
    ? ((cand.content as Obj).parts as Obj[])
    : [];
  // `thought: true` parts are the model's reasoning summary, not its answer.
  const text = parts
    .filter((p) => typeof p.text === 'string' && p.thought !== true)
    .map((p) => String(p.text))
    .join('');
  const toolCalls = parts
    .filter((p) => p.functionCall && typeof p.functionCall === 'object')
    .map((p) => {
      const fc = p.functionCall as Obj;
      return toolCallOut(fc.id, fc.name, fc.args);
    });
  const finishReason = geminiFinish(cand.finishReason);
  if (finishReason === 'content_filter' && text === '' && toolCalls.length === 0) {
    return { kind: 'blocked', reason: `output blocked (${String(cand.finishReason)})` };
  }
  const out = chatCompletion(
    {
      id: typeof res.responseId === 'string' ? res.responseId : `chatcmpl-${newToolCallId().slice(5)}`,
      model: typeof res.modelVersion === 'string' ? res.modelVersion : model,
      text,
      toolCalls,
      finishReason,
      ...geminiUsage(res.usageMetadata),
    },
    now,
  );
  return { kind: 'ok', ...out };
}

/** OpenAI embeddings → AI Studio `batchEmbedContents`. */
export function toGeminiEmbed(body: Obj, model: string): Obj {
  return {
    requests: embeddingTexts(body, 'gemini').map((text) => ({
      model: `models/${model}`,
      content: { parts: [{ text }] },
      ...(typeof body.dimensions === 'number' ? { outputDimensionality: body.dimensions } : {}),
      ...(typeof body.task_type === 'string' ? { taskType: body.task_type } : {}),
    })),
  };
}

/** OpenAI embeddings → Vertex `predict` (text-embedding-* and gemini-embedding-* models). */
export function toVertexEmbed(body: Obj): Obj {
  const out: Obj = {
    instances: embeddingTexts(body, 'vertex_ai').map((content) => ({
      content,
      ...(typeof body.task_type === 'string' ? { task_type: body.task_type } : {}),
    })),
  };
  if (typeof body.dimensions === 'number') out.parameters = { outputDimensionality: body.dimensions };
  return out;
}

/**
 * `batchEmbedContents` answer → OpenAI list. AI Studio reports no token count for embeddings, so the prompt
 * tokens are estimated (≈ 4 characters a token), as LiteLLM counts them locally too.
 */
export function fromGeminiEmbed(
  res: Obj,
  model: string,
  texts: readonly string[],
): { body: Obj; usage: Usage } | undefined {
  if (!Array.isArray(res.embeddings)) return undefined;
  const vectors = (res.embeddings as Obj[]).map((e) => e?.values);
  const estimated = texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
  return embeddingList(vectors, model, estimated);
}

/** Vertex `predict` answer → OpenAI list, token counts from each prediction's statistics. */
export function fromVertexEmbed(res: Obj, model: string): { body: Obj; usage: Usage } | undefined {
  if (!Array.isArray(res.predictions)) return undefined;
  const preds = (res.predictions as Obj[]).map((p) => (p?.embeddings ?? {}) as Obj);
  const tokens = preds.reduce((n, e) => n + num((e.statistics as Obj | undefined)?.token_count), 0);
  return embeddingList(
    preds.map((e) => e.values),
    model,
    tokens,
  );
}
