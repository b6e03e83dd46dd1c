// LiteLLM's per-request router parameters (`num_retries`, `fallbacks`, `timeout`, …): a LiteLLM user's request
// bodies carry them, so the worker reads them for this job and never forwards them to a provider.
import { type RouterSettings, SwitchyardError } from '@switchyard/core';
import { z } from 'zod';

const groups = z.array(z.string().min(1), { error: 'expected a list of model group names' });
/**
 * LiteLLM's client-side fallbacks: a group name, or `{model, …}` whose other keys (messages, temperature…)
 * replace the request's own for that group.
 */
const fallbackEntries = z.array(
  z.union([z.string().min(1), z.looseObject({ model: z.string().min(1) })], {
    error: 'expected model group names or {model, …overrides} objects',
  }),
);

const schema = z.object({
  num_retries: z.number().int().min(0).optional(),
  timeout: z.number().positive().optional(),
  request_timeout: z.number().positive().optional(),
  /** Streaming: the wait allowed for each chunk, the first one included (seconds; LiteLLM's per-request kwarg). */
  stream_timeout: z.number().positive().optional(),
  fallbacks: fallbackEntries.optional(),
  context_window_fallbacks: groups.optional(),
  content_policy_fallbacks: groups.optional(),
  disable_fallbacks: z.boolean().optional(),
  /** `model` names one deployment by its litellm_params.model (or id), as LiteLLM's specific_deployment. */
  specific_deployment: z.boolean().optional(),
  /** LiteLLM's per-request drop_params: parameters the provider lacks are dropped instead of refused. */
  drop_params: z.boolean().optional(),
  /** LiteLLM's priority is the BullMQ job priority, set by the producer when adding; here it is dropped. */
  priority: z.unknown().optional(),
  mock_response: z.string().optional(),
  /** LiteLLM's per-request cache controls. */
  cache: z
    .object({
      'no-cache': z.boolean().optional(),
      'no-store': z.boolean().optional(),
      ttl: z.number().positive().optional(),
      namespace: z.string().min(1).optional(),
    })
    .optional(),
  mock_testing_fallbacks: z.boolean().optional(),
  mock_testing_context_fallbacks: z.boolean().optional(),
  mock_testing_content_policy_fallbacks: z.boolean().optional(),
  mock_testing_rate_limit_error: z.boolean().optional(),
});

export type RequestRouterParams = z.infer<typeof schema>;

const KEYS = Object.keys(schema.shape) as (keyof RequestRouterParams)[];

/** Splits the router's own parameters from the provider body; a malformed one fails the job. */
export function splitRouterParams(body: Record<string, unknown>): {
  body: Record<string, unknown>;
  params: RequestRouterParams;
} {
  if (!KEYS.some((key) => Object.hasOwn(body, key))) return { body, params: {} };
  const rest: Record<string, unknown> = {};
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if ((KEYS as string[]).includes(key)) raw[key] = value;
    else rest[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SwitchyardError(
      'BadRequestError',
      `invalid router parameter ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  return { body: rest, params: parsed.data };
}

/** The per-attempt timeout this request asks for, in ms (LiteLLM: `timeout`, then `request_timeout`). */
export function requestTimeoutMs(params: RequestRouterParams): number | undefined {
  const seconds = params.timeout ?? params.request_timeout;
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

/** The request's own `stream_timeout`, in ms. */
export function requestStreamTimeoutMs(params: RequestRouterParams): number | undefined {
  return params.stream_timeout === undefined ? undefined : Math.round(params.stream_timeout * 1000);
}

/** The router settings for this job: the request's retries and fallback lists win over the config's. */
export function settingsForRequest(
  settings: RouterSettings,
  group: string,
  params: RequestRouterParams,
): RouterSettings {
  // Most jobs carry none of these: share the config's settings rather than copy them per job.
  if (
    params.num_retries === undefined &&
    !params.disable_fallbacks &&
    !params.fallbacks &&
    !params.context_window_fallbacks &&
    !params.content_policy_fallbacks
  ) {
    return settings;
  }
  if (params.disable_fallbacks) {
    return {
      ...withRetries(settings, params),
      fallbacks: {},
      defaultFallbacks: [],
      contextWindowFallbacks: {},
      contentPolicyFallbacks: {},
    };
  }
  const next = withRetries(settings, params);
  if (params.fallbacks)
    next.fallbacks = {
      ...settings.fallbacks,
      [group]: params.fallbacks.map((entry) => (typeof entry === 'string' ? entry : entry.model)),
    };
  if (params.context_window_fallbacks)
    next.contextWindowFallbacks = {
      ...settings.contextWindowFallbacks,
      [group]: params.context_window_fallbacks,
    };
  if (params.content_policy_fallbacks)
    next.contentPolicyFallbacks = {
      ...settings.contentPolicyFallbacks,
      [group]: params.content_policy_fallbacks,
    };
  return next;
}

function withRetries(settings: RouterSettings, params: RequestRouterParams): RouterSettings {
  return params.num_retries === undefined ? { ...settings } : { ...settings, numRetries: params.num_retries };
}

/** The request-body overrides of each `{model, …}` fallback entry, by group name (first entry wins). */
export function fallbackOverrides(
  params: RequestRouterParams,
): ReadonlyMap<string, Record<string, unknown>> | undefined {
  const entries = params.fallbacks?.filter((entry) => typeof entry !== 'string');
  if (!entries?.length) return undefined;
  const overrides = new Map<string, Record<string, unknown>>();
  for (const { model, ...rest } of entries) {
    // Only request-body keys: router parameters inside an entry would reach the provider.
    const body = Object.fromEntries(
      Object.entries(rest).filter(([key]) => !(KEYS as string[]).includes(key)),
    );
    if (!overrides.has(model)) overrides.set(model, body);
  }
  return overrides;
}
