// One `model_list` entry → one Deployment: env refs resolved, provider resolved, id computed, extras sorted out.
import type { ConfigIssue } from './config-error.ts';
import { type CredentialBook, withCredential } from './credentials.ts';
import { deploymentId } from './deployment-id.ts';
import { type Env, resolveEnvRefsOf } from './env.ts';
import { isMapping } from './is-mapping.ts';
import { childPath } from './path.ts';
import { passThroughTargets, resolveProvider } from './provider.ts';
import type { CloudParams } from './provider-settings.ts';
import { normaliseAllowedFailsPolicy } from './retry-policy.ts';
import type { PickSetting } from './router-settings.ts';
import { litellmParamsSchema, modelEntrySchema, type PRICE_FIELDS } from './schema.ts';
import { isSecretParam } from './secret-params.ts';
import { compileTagRegexes } from './tag-regex.ts';
import type { Deployment, DeploymentDefaults, ModelInfo } from './types.ts';
import { collectUnsupportedKeys, UNSUPPORTED } from './unsupported-keys.ts';
import { parseInto } from './validate.ts';

/**
 * litellm_params outside the schema that are request-body parameters, forwarded via `extraParams`.
 * Anything else (region_name, use_in_pass_through, …) is warned about and dropped; credentials never pass.
 * `organization` is OpenAI's org id: adapters send it as the OpenAI-Organization header, not in the body.
 */
export const FORWARDED_PARAMS: ReadonlySet<string> = new Set([
  'temperature',
  'top_p',
  'top_k',
  'max_tokens',
  'max_completion_tokens',
  'presence_penalty',
  'frequency_penalty',
  'stop',
  'seed',
  'n',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'user',
  'response_format',
  'reasoning_effort',
  'parallel_tool_calls',
  'tool_choice',
  'service_tier',
  'dimensions',
  'encoding_format',
  'organization',
]);

const KNOWN_PARAMS: ReadonlySet<string> = new Set(Object.keys(litellmParamsSchema.shape));
const RESOLVED_PARAMS: ReadonlySet<string> = new Set([...KNOWN_PARAMS, ...FORWARDED_PARAMS]);

export interface DeploymentContext {
  env: Env;
  issues: ConfigIssue[];
  warnings: string[];
  /** `credential_list` by name; absent: not known here (see withCredential). */
  credentials?: CredentialBook;
}

export interface BuiltDeployment {
  deployment: Deployment;
  /** Where the id came from, for duplicate-id messages. */
  idPath: string;
}

export function buildDeployment(
  raw: unknown,
  path: string,
  ctx: DeploymentContext,
): BuiltDeployment | undefined {
  const paramsPath = childPath(path, 'litellm_params');
  const written = isMapping(raw) ? raw.litellm_params : undefined;
  const before = ctx.issues.length;
  const rawParams = withCredential(written, paramsPath, ctx.credentials, ctx.issues);
  // Without its credential the entry's other complaints (api_base required…) would only mislead.
  if (ctx.issues.length > before) return undefined;
  const resolved = isMapping(raw)
    ? {
        ...raw,
        litellm_params: resolveEnvRefsOf(rawParams, RESOLVED_PARAMS, paramsPath, ctx.env, ctx.issues),
      }
    : raw;
  const entry = parseInto(modelEntrySchema, resolved, path, ctx.issues);
  collectUnsupportedKeys(modelEntrySchema, resolved, path, ctx.warnings);
  if (entry === undefined || !isMapping(rawParams)) return undefined;

  const params = entry.litellm_params;
  const provider = resolveProvider(
    {
      model: params.model,
      ...(params.custom_llm_provider === undefined ? {} : { customLlmProvider: params.custom_llm_provider }),
      ...(params.api_base === undefined ? {} : { apiBase: params.api_base }),
      ...(params.api_key === undefined ? {} : { apiKey: params.api_key }),
      ...(params.api_version === undefined ? {} : { apiVersion: params.api_version }),
      cloud: cloudParams(params),
    },
    paramsPath,
    ctx.env,
    ctx.issues,
  );

  const extraParams: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (KNOWN_PARAMS.has(key)) continue;
    if (FORWARDED_PARAMS.has(key) && !isSecretParam(key)) extraParams[key] = value;
    else ctx.warnings.push(`${childPath(paramsPath, key)}: ${UNSUPPORTED}`);
  }
  if (provider === undefined) return undefined;
  // vertex_* / aws_* on a deployment of another provider do nothing: say so rather than look used.
  for (const [key, kind] of [
    ['vertex_', 'vertex_ai'],
    ['aws_', 'bedrock'],
  ] as const) {
    if (provider.provider === kind) continue;
    for (const name of Object.keys(params)) {
      if (name.startsWith(key) && KNOWN_PARAMS.has(name)) {
        ctx.warnings.push(`${childPath(paramsPath, name)}: ignored, only ${kind}/ deployments use it`);
      }
    }
  }

  const info = entry.model_info;
  // Hash the params as written (unresolved env refs) with the legacy top-level limits folded in, as LiteLLM does.
  // A named credential's values are not hashed: LiteLLM adds them at call time, after the id is made.
  const hashed: Record<string, unknown> = { ...(written as Record<string, unknown>) };
  if (entry.rpm !== undefined && hashed.rpm === undefined) hashed.rpm = entry.rpm;
  if (entry.tpm !== undefined && hashed.tpm === undefined) hashed.tpm = entry.tpm;

  const deployment: Deployment = {
    id: deploymentId(entry.model_name, hashed, info?.id),
    modelGroup: entry.model_name,
    provider: provider.provider,
    model: provider.model,
    litellmModel: params.model,
    apiBase: provider.apiBase,
    tags: params.tags ?? [],
    info: modelInfo(params, info),
    extraParams,
  };
  assign(
    deployment,
    'tagRegex',
    compileTagRegexes(params.tag_regex, childPath(paramsPath, 'tag_regex'), ctx.issues),
  );
  assign(deployment, 'apiKey', provider.apiKey);
  assign(deployment, 'apiVersion', provider.apiVersion);
  if (params.model === '*' && params.custom_llm_provider === undefined) {
    deployment.passThrough = passThroughTargets(
      {
        ...(params.api_base === undefined ? {} : { apiBase: params.api_base }),
        ...(params.api_key === undefined ? {} : { apiKey: params.api_key }),
      },
      ctx.env,
    );
  }
  assign(deployment, 'vertex', provider.vertex);
  assign(deployment, 'aws', provider.aws);
  assign(
    deployment,
    'timeoutMs',
    params.timeout === undefined ? undefined : Math.round(params.timeout * 1000),
  );
  assign(
    deployment,
    'streamTimeoutMs',
    params.stream_timeout === undefined ? undefined : Math.round(params.stream_timeout * 1000),
  );
  assign(deployment, 'rpm', params.rpm ?? entry.rpm ?? info?.rpm);
  assign(deployment, 'tpm', params.tpm ?? entry.tpm ?? info?.tpm);
  // LiteLLM's A/B example writes the weight in model_info; litellm_params wins when both do.
  assign(deployment, 'weight', params.weight ?? info?.weight);
  assign(deployment, 'maxParallelRequests', params.max_parallel_requests);
  assign(deployment, 'order', params.order ?? info?.order);
  // LiteLLM ignores max_retries for routing (it forces the SDK's retries to 0). Users who write it mean
  // "retry this deployment N times", so it counts as num_retries, but only when num_retries is absent.
  assign(deployment, 'numRetries', params.num_retries ?? params.max_retries);
  // model_info.cooldown_time is LiteLLM's place beside allowed_fails; litellm_params wins when both are set.
  assign(deployment, 'cooldownTimeSec', params.cooldown_time ?? info?.cooldown_time);
  assign(deployment, 'allowedFails', info?.allowed_fails);
  if (info?.allowed_fails_policy !== undefined) {
    const policyPath = childPath(childPath(path, 'model_info'), 'allowed_fails_policy');
    deployment.allowedFailsPolicy = normaliseAllowedFailsPolicy(
      info.allowed_fails_policy,
      policyPath,
      ctx.issues,
    );
  }
  assign(deployment, 'dropParams', params.drop_params);
  assign(deployment, 'mockResponse', params.mock_response);
  if (params.max_budget !== undefined) {
    deployment.budget = {
      limit: params.max_budget,
      ...(params.budget_duration ? { period: params.budget_duration } : {}),
    };
  } else if (params.budget_duration !== undefined) {
    ctx.warnings.push(`${childPath(paramsPath, 'budget_duration')}: ignored without max_budget`);
  }
  return {
    deployment,
    idPath: info?.id === undefined ? path : childPath(childPath(path, 'model_info'), 'id'),
  };
}

function cloudParams(params: ParsedParams): CloudParams {
  const out: CloudParams = {};
  assign(out, 'vertexProject', params.vertex_project);
  assign(out, 'vertexLocation', params.vertex_location);
  assign(out, 'vertexCredentials', params.vertex_credentials);
  assign(out, 'awsAccessKeyId', params.aws_access_key_id);
  assign(out, 'awsSecretAccessKey', params.aws_secret_access_key);
  assign(out, 'awsSessionToken', params.aws_session_token);
  assign(out, 'awsRegionName', params.aws_region_name);
  assign(out, 'awsProfileName', params.aws_profile_name);
  assign(out, 'awsRoleName', params.aws_role_name);
  assign(out, 'awsSessionName', params.aws_session_name);
  assign(out, 'awsStsEndpoint', params.aws_sts_endpoint);
  return out;
}

type ParsedParams = NonNullable<ReturnType<typeof modelEntrySchema.parse>>['litellm_params'];
type ParsedInfo = NonNullable<ReturnType<typeof modelEntrySchema.parse>['model_info']>;

/** ModelInfo's name of each price key. */
const PRICE_NAMES = {
  input_cost_per_token: 'inputCostPerToken',
  output_cost_per_token: 'outputCostPerToken',
  output_cost_per_image: 'outputCostPerImage',
  input_cost_per_second: 'inputCostPerSecond',
  input_cost_per_character: 'inputCostPerCharacter',
  input_cost_per_query: 'inputCostPerQuery',
} as const satisfies Record<keyof typeof PRICE_FIELDS, keyof ModelInfo>;
type PriceName = (typeof PRICE_NAMES)[keyof typeof PRICE_NAMES];

/** Pricing written in litellm_params is copied into model_info (LiteLLM does the same) and wins over it. */
function modelInfo(params: ParsedParams, info: ParsedInfo | undefined): ModelInfo {
  const result: ModelInfo = {};
  for (const [key, field] of Object.entries(PRICE_NAMES) as [keyof typeof PRICE_FIELDS, PriceName][]) {
    assign(result, field, params[key] ?? info?.[key]);
  }
  assign(result, 'maxInputTokens', info?.max_input_tokens);
  assign(result, 'maxOutputTokens', info?.max_output_tokens);
  assign(result, 'maxTokens', info?.max_tokens);
  assign(result, 'baseModel', info?.base_model ?? params.base_model);
  assign(result, 'mode', info?.mode);
  assign(result, 'supportsVision', info?.supports_vision);
  assign(result, 'supportsFunctionCalling', info?.supports_function_calling);
  assign(result, 'healthCheckTimeoutSec', info?.health_check_timeout);
  return result;
}

/**
 * `default_litellm_params` (request parameters from the same forwarded list as litellm_params; anything
 * else warned) and `drop_params`, read once from the router settings.
 */
export function routerDeploymentDefaults(pick: PickSetting, warnings: string[]): DeploymentDefaults {
  const defaults = pick('default_litellm_params');
  const forwarded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(defaults?.value ?? {})) {
    if (FORWARDED_PARAMS.has(key) && !isSecretParam(key)) forwarded[key] = value;
    else warnings.push(`${childPath(defaults!.path, key)}: ${UNSUPPORTED}`);
  }
  const out: DeploymentDefaults = { extraParams: forwarded };
  assign(out, 'dropParams', pick('drop_params')?.value);
  return out;
}

/** The router's defaults onto deployments, under each one's own settings. */
export function applyRouterDefaults(deployments: readonly Deployment[], defaults: DeploymentDefaults): void {
  for (const deployment of deployments) {
    if (Object.keys(defaults.extraParams).length > 0)
      deployment.extraParams = { ...defaults.extraParams, ...deployment.extraParams };
    if (deployment.dropParams === undefined && defaults.dropParams !== undefined)
      deployment.dropParams = defaults.dropParams;
  }
}

/** Sets optional fields only when defined, so normalised objects never carry `key: undefined`. */
function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
