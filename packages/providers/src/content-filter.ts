// A 200 whose only choice was stopped by the provider's content filter and carries nothing is a refusal:
// LiteLLM raises ContentPolicyViolationError for it, so content_policy_fallbacks can answer instead.
import { SwitchyardError } from '@switchyard/core';
import type { ProviderRequest, ProviderResponse } from './adapter.ts';

type Obj = Record<string, unknown>;

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** Chat: every choice `finish_reason: content_filter` with no content and no tool calls; completions: no text. */
export function blockedByContentFilter(req: ProviderRequest, res: ProviderResponse): boolean {
  if (req.endpoint === 'embeddings') return false;
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

/** The response, or ContentPolicyViolationError when the content filter left it empty. */
export function refuseBlockedResponse(req: ProviderRequest, res: ProviderResponse): ProviderResponse {
  if (!blockedByContentFilter(req, res)) return res;
  throw new SwitchyardError(
    'ContentPolicyViolationError',
    `${req.deployment.provider}: the response was blocked by the content filter (finish_reason content_filter, no content)`,
    { provider: req.deployment.provider, deploymentId: req.deployment.id },
  );
}
