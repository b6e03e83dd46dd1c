// A translated provider's stream as OpenAI chunks: its events (whatever the wire format) go through the
// provider's pure chunk mapper, then take OpenAI's exact shape — usage in a final `choices: []` chunk as with
// `stream_options.include_usage`, and text-completion chunks for the `completions` endpoint.
import { randomUUID } from 'node:crypto';
import type { ProviderRequest, ProviderStream } from './adapter.ts';
import type { ChunkMeta, Obj } from './chat-parts.ts';
import { classifyErrorBody } from './errors.ts';
import { type AdapterEnv, errorContext, type HttpCall } from './exchange.ts';
import { openStream } from './stream-exchange.ts';
import type { Framing } from './stream-framing.ts';

export interface TranslatedStreamSpec<E> {
  accept: string;
  framing: () => Framing<E>;
  /** A fresh mapper per stream (mappers keep per-answer state such as tool-call indexes). */
  mapper: (meta: ChunkMeta) => (event: E) => Obj[];
  /** The provider's last event of an answer (reading stops there); formats without one end with the body. */
  isLast?: (event: E) => boolean;
  /** An in-stream error object (`{error: …}`), classified like a 2xx error body; undefined when the event is not one. */
  errorOf?: (event: E) => unknown;
  /** The model named in the chunks (default: the deployment's). */
  model?: string;
}

/** JSON events carrying `error` (Gemini, Ollama) are failures, wherever in the stream they come. */
export function jsonErrorOf(event: Obj): unknown {
  return event.error !== undefined && event.error !== null ? event : undefined;
}

export function openTranslatedStream<E>(
  env: AdapterEnv,
  req: ProviderRequest,
  call: HttpCall,
  spec: TranslatedStreamSpec<E>,
): Promise<ProviderStream> {
  const ctx = errorContext(req);
  const meta: ChunkMeta = {
    id: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
    model: spec.model ?? req.deployment.model,
    created: Math.floor(Date.now() / 1000),
  };
  const map = spec.mapper(meta);
  const shape = req.endpoint === 'completions' ? asTextCompletionChunk : (c: Obj) => c;
  return openStream(env, req, call, {
    accept: spec.accept,
    framing: spec.framing,
    decode: (event) => {
      const error = spec.errorOf?.(event);
      if (error !== undefined) throw classifyErrorBody(ctx, error, {});
      const chunks = map(event)
        .flatMap(usageApart)
        .map(shape)
        .filter((c): c is Obj => c !== undefined);
      return { chunks, end: spec.isLast?.(event) === true };
    },
  });
}

/** OpenAI sends usage alone in the last chunk (`choices: []`); the mappers put it on the finish chunk. */
function usageApart(chunk: Obj): Obj[] {
  const choices = chunk.choices as unknown[] | undefined;
  if (chunk.usage === undefined || !Array.isArray(choices) || choices.length === 0) return [chunk];
  const { usage, ...rest } = chunk;
  return [
    rest,
    { id: chunk.id, object: chunk.object, created: chunk.created, model: chunk.model, choices: [], usage },
  ];
}

/** A chat chunk as a text-completion chunk (`choices[].text`); the role-only chunk has no counterpart. */
function asTextCompletionChunk(chunk: Obj): Obj | undefined {
  const choices = (chunk.choices as Obj[]).map((c) => ({
    text: String(((c.delta ?? {}) as Obj).content ?? ''),
    index: c.index,
    logprobs: null,
    finish_reason: c.finish_reason ?? null,
  }));
  if (choices.length > 0 && choices.every((c) => c.text === '' && c.finish_reason === null)) return undefined;
  return {
    id: String(chunk.id).replace(/^chatcmpl-/, 'cmpl-'),
    object: 'text_completion',
    created: chunk.created,
    model: chunk.model,
    choices,
    ...(chunk.usage ? { usage: chunk.usage } : {}),
  };
}
