// `enable_pre_call_checks` capability check (LiteLLM's supports_vision / supports_function_calling filter):
// a request with images or tools skips deployments whose model_info says they cannot take them.
import type { Deployment, Endpoint } from '../config/types.ts';
import { SwitchyardError } from '../errors/taxonomy.ts';

interface Needs {
  vision: boolean;
  functionCalling: boolean;
}

/** What a chat request needs: an `image_url` content part, or `tools` / `functions` to call. */
export function requestNeeds(endpoint: Endpoint, body: unknown): Needs {
  const needs: Needs = { vision: false, functionCalling: false };
  if (endpoint !== 'chat.completions' || typeof body !== 'object' || body === null) return needs;
  const b = body as Record<string, unknown>;
  needs.functionCalling =
    (Array.isArray(b.tools) && b.tools.length > 0) || (Array.isArray(b.functions) && b.functions.length > 0);
  if (Array.isArray(b.messages)) {
    needs.vision = b.messages.some((message) => {
      const content = (message as { content?: unknown } | null)?.content;
      return (
        Array.isArray(content) &&
        content.some((part) => (part as { type?: unknown } | null)?.type === 'image_url')
      );
    });
  }
  return needs;
}

/**
 * The deployments that can take the request. Only an explicit `false` excludes (unset means unknown, and
 * LiteLLM keeps those too). When none is left, BadRequestError names the group and the capability.
 */
export function filterByCapabilities(
  deployments: readonly Deployment[],
  endpoint: Endpoint,
  body: unknown,
): Deployment[] {
  const needs = requestNeeds(endpoint, body);
  if (!needs.vision && !needs.functionCalling) return [...deployments];
  const fitting = deployments.filter(
    (d) =>
      !(needs.vision && d.info.supportsVision === false) &&
      !(needs.functionCalling && d.info.supportsFunctionCalling === false),
  );
  if (fitting.length > 0) return fitting;
  const what = [
    needs.vision && 'images (supports_vision)',
    needs.functionCalling && 'tools (supports_function_calling)',
  ]
    .filter(Boolean)
    .join(' and ');
  const group = deployments[0]?.modelGroup ?? '';
  throw new SwitchyardError(
    'BadRequestError',
    `the request carries ${what}, which no deployment of model group ${group} supports (model_info)`,
  );
}
