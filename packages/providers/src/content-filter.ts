// A 200 whose only choice was stopped by the provider's content filter and carries nothing is a refusal:
// LiteLLM raises ContentPolicyViolationError for it, so content_policy_fallbacks can answer instead.
import { SwitchyardError } from '@switchyard/core';
import type { Chunk, ProviderRequest, ProviderResponse, ProviderStream } from './adapter.ts';

type Obj = Record<string, unknown>;

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** Chat: every choice `finish_reason: content_filter` with no content and no tool calls; completions: no text. */
export function blockedByContentFilter(req: ProviderRequest, res: ProviderResponse): boolean {
  if (req.endpoint !== 'chat.completions' && req.endpoint !== 'completions') return false;
  const choices = res.body.choices;
  if (!Array.isArray(choices) || choices.length === 0) return false;
  return choices.every((raw) => {
    const choice = (raw ?? {}) as Obj;
    if (choice.finish_reason !== 'content_filter') return false;
    if (req.endpoint === 'completions') return isEmpty(choice.text);
    const message = (choice.message ?? {}) as Obj;
    return isEmpty(message.content) && isEmpty(message.tool_calls) && isEmpty(message.function_call);
  });
}

function refusal(req: ProviderRequest): SwitchyardError {
  return new SwitchyardError(
    'ContentPolicyViolationError',
    `${req.deployment.provider}: the response was blocked by the content filter (finish_reason content_filter, no content)`,
    { provider: req.deployment.provider, deploymentId: req.deployment.id },
  );
}

/** The response, or ContentPolicyViolationError when the content filter left it empty. */
export function refuseBlockedResponse(req: ProviderRequest, res: ProviderResponse): ProviderResponse {
  if (!blockedByContentFilter(req, res)) return res;
  throw refusal(req);
}

/** A chunk that carries some of the answer (text, a refusal, a tool call), not only a role or a finish. */
function hasContent(chunk: Chunk): boolean {
  const choices = Array.isArray(chunk.choices) ? (chunk.choices as Obj[]) : [];
  return choices.some((c) => {
    const delta = (c.delta ?? {}) as Obj;
    return (
      !isEmpty(c.text) ||
      !isEmpty(delta.content) ||
      !isEmpty(delta.refusal) ||
      !isEmpty(delta.tool_calls) ||
      !isEmpty(delta.function_call)
    );
  });
}

/**
 * The streamed form of the same rule: chunks before any content are held; a stream that ends with nothing but
 * a `content_filter` finish is ContentPolicyViolationError, raised before a single chunk reached the reader,
 * so content_policy_fallbacks can answer instead. Once content flows, chunks pass through untouched.
 */
export function refuseBlockedStream(req: ProviderRequest, stream: ProviderStream): ProviderStream {
  if (req.endpoint === 'embeddings') return stream;
  async function* guarded(): AsyncGenerator<Chunk> {
    let held: Chunk[] | undefined = [];
    let filtered = false;
    for await (const chunk of stream) {
      if (!held) {
        yield chunk;
        continue;
      }
      held.push(chunk);
      const choices = Array.isArray(chunk.choices) ? (chunk.choices as Obj[]) : [];
      if (choices.some((c) => c.finish_reason === 'content_filter')) filtered = true;
      if (hasContent(chunk)) {
        yield* held;
        held = undefined;
      }
    }
    if (held && filtered) throw refusal(req);
    if (held) yield* held;
  }
  return Object.assign(guarded(), { headers: stream.headers });
}
