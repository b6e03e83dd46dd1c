// Which wire protocol a `litellm_params.model` string speaks, and where: LiteLLM's `provider/model` prefixes.
import type { ConfigIssue } from './config-error.ts';
import type { Env } from './env.ts';
import { bedrockBase, type CloudParams, resolveAws, resolveVertex, vertexBase } from './provider-settings.ts';
import type { AwsSettings, PassThroughTarget, ProviderKind, VertexSettings } from './types.ts';

interface ProviderSpec {
  kind: ProviderKind;
  /** Used when api_base is not configured; absent means api_base is required. */
  defaultBase?: string;
  /** LiteLLM reads the key from this variable when litellm_params.api_key is absent. */
  keyEnv?: string;
  /** Also consulted for the base URL (LiteLLM's `OLLAMA_API_BASE`, `AZURE_API_BASE`). */
  baseEnv?: string;
}

const OPENAI_BASE = 'https://api.openai.com/v1';
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

/** Supported prefixes. OpenAI-compatible hosts speak the openai protocol with their own base URL. */
const PROVIDERS: Readonly<Record<string, ProviderSpec>> = {
  openai: { kind: 'openai', defaultBase: OPENAI_BASE, keyEnv: 'OPENAI_API_KEY' },
  'text-completion-openai': { kind: 'openai', defaultBase: OPENAI_BASE, keyEnv: 'OPENAI_API_KEY' },
  custom_openai: { kind: 'openai' },
  hosted_vllm: { kind: 'openai' },
  litellm_proxy: { kind: 'openai' },
  azure: { kind: 'azure', keyEnv: 'AZURE_API_KEY' },
  anthropic: { kind: 'anthropic', defaultBase: 'https://api.anthropic.com', keyEnv: 'ANTHROPIC_API_KEY' },
  groq: { kind: 'openai', defaultBase: 'https://api.groq.com/openai/v1', keyEnv: 'GROQ_API_KEY' },
  deepseek: { kind: 'openai', defaultBase: 'https://api.deepseek.com', keyEnv: 'DEEPSEEK_API_KEY' },
  mistral: { kind: 'openai', defaultBase: 'https://api.mistral.ai/v1', keyEnv: 'MISTRAL_API_KEY' },
  openrouter: { kind: 'openai', defaultBase: 'https://openrouter.ai/api/v1', keyEnv: 'OPENROUTER_API_KEY' },
  xai: { kind: 'openai', defaultBase: 'https://api.x.ai/v1', keyEnv: 'XAI_API_KEY' },
  gemini: {
    kind: 'gemini',
    defaultBase: 'https://generativelanguage.googleapis.com',
    keyEnv: 'GEMINI_API_KEY',
  },
  // The base follows vertex_location / aws_region_name (see placedBase below).
  vertex_ai: { kind: 'vertex_ai' },
  bedrock: { kind: 'bedrock' },
  cohere: { kind: 'cohere', defaultBase: 'https://api.cohere.com', keyEnv: 'COHERE_API_KEY' },
  ollama: {
    kind: 'ollama',
    defaultBase: 'http://localhost:11434',
    keyEnv: 'OLLAMA_API_KEY',
    baseEnv: 'OLLAMA_API_BASE',
  },
  ollama_chat: {
    kind: 'ollama_chat',
    defaultBase: 'http://localhost:11434',
    keyEnv: 'OLLAMA_API_KEY',
    baseEnv: 'OLLAMA_API_BASE',
  },
};

export const SUPPORTED_PROVIDER_PREFIXES: readonly string[] = Object.keys(PROVIDERS);

export interface ProviderParams {
  /** `litellm_params.model` as written. */
  model: string;
  customLlmProvider?: string;
  apiBase?: string;
  apiKey?: string;
  apiVersion?: string;
  /** vertex_* and aws_* params. */
  cloud?: CloudParams;
}

export interface ResolvedProvider {
  provider: ProviderKind;
  model: string;
  apiBase: string;
  apiKey?: string;
  apiVersion?: string;
  vertex?: VertexSettings;
  aws?: AwsSettings;
}

/** Paths are relative to the deployment's `litellm_params`. */
export function resolveProvider(
  params: ProviderParams,
  paramsPath: string,
  env: Env,
  issues: ConfigIssue[],
): ResolvedProvider | undefined {
  const split = splitModel(params);
  const spec = PROVIDERS[split.prefix];
  if (spec === undefined) {
    const where = params.customLlmProvider === undefined ? 'model' : 'custom_llm_provider';
    issues.push({
      path: `${paramsPath}.${where}`,
      message: `unknown provider "${split.prefix}"; supported prefixes: ${SUPPORTED_PROVIDER_PREFIXES.join(', ')}`,
    });
    return undefined;
  }
  if (split.model === '') {
    issues.push({ path: `${paramsPath}.model`, message: 'expected a model name after the provider prefix' });
    return undefined;
  }
  const cloud = params.cloud ?? {};
  const vertex = spec.kind === 'vertex_ai' ? resolveVertex(cloud, paramsPath, env, issues) : undefined;
  if (spec.kind === 'vertex_ai' && vertex === undefined) return undefined;
  const aws = spec.kind === 'bedrock' ? resolveAws(cloud, paramsPath, issues, env) : undefined;
  // Like LiteLLM, Azure also reads its endpoint and version from the environment.
  const baseEnv = spec.kind === 'azure' ? 'AZURE_API_BASE' : spec.baseEnv;
  const configuredBase = params.apiBase ?? (baseEnv === undefined ? undefined : nonEmpty(env[baseEnv]));
  const placedBase = vertex ? vertexBase(vertex.location) : aws ? bedrockBase(aws.region) : undefined;
  const base = configuredBase ?? spec.defaultBase ?? placedBase;
  if (base === undefined) {
    issues.push({ path: `${paramsPath}.api_base`, message: `Required for provider "${split.prefix}"` });
    return undefined;
  }
  if (!isHttpUrl(base)) {
    issues.push({ path: `${paramsPath}.api_base`, message: 'expected an http(s) URL' });
    return undefined;
  }
  const resolved: ResolvedProvider = {
    provider: spec.kind,
    model: split.model,
    apiBase: base.replace(/\/+$/, ''),
  };
  const apiKey = params.apiKey ?? (spec.keyEnv === undefined ? undefined : nonEmpty(env[spec.keyEnv]));
  if (apiKey !== undefined) resolved.apiKey = apiKey;
  const apiVersion =
    params.apiVersion ??
    (spec.kind === 'azure' ? (nonEmpty(env.AZURE_API_VERSION) ?? DEFAULT_AZURE_API_VERSION) : undefined);
  if (apiVersion !== undefined) resolved.apiVersion = apiVersion;
  if (vertex !== undefined) resolved.vertex = vertex;
  if (aws !== undefined) resolved.aws = aws;
  return resolved;
}

/** `openai/gpt-4o` → (openai, gpt-4o); bare `gpt-4o` → openai; bare `claude-*` → anthropic, as LiteLLM infers. */
function splitModel(params: ProviderParams): { prefix: string; model: string } {
  const { model, customLlmProvider } = params;
  if (customLlmProvider !== undefined) {
    const own = `${customLlmProvider}/`;
    return { prefix: customLlmProvider, model: model.startsWith(own) ? model.slice(own.length) : model };
  }
  const slash = model.indexOf('/');
  if (slash < 0) return { prefix: model.startsWith('claude') ? 'anthropic' : 'openai', model };
  return { prefix: model.slice(0, slash), model: model.slice(slash + 1) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The providers a bare `model: "*"` deployment reaches, by prefix, each as LiteLLM would call it: the entry's own
 * api_base / api_key when written, else the provider's default base and `<PROVIDER>_API_KEY`. Prefixes that
 * need more than that (azure, vertex_ai, bedrock, hosts without a default base) are left out: such a name
 * goes to OpenAI with the prefix kept, as before.
 */
export function passThroughTargets(
  params: Pick<ProviderParams, 'apiBase' | 'apiKey'>,
  env: Env,
): Record<string, PassThroughTarget> {
  const out: Record<string, PassThroughTarget> = {};
  for (const prefix of SUPPORTED_PROVIDER_PREFIXES) {
    const resolved = resolveProvider({ ...params, model: `${prefix}/x` }, '', env, []);
    if (!resolved || resolved.vertex || resolved.aws || resolved.provider === 'azure') continue;
    const target: PassThroughTarget = { provider: resolved.provider, apiBase: resolved.apiBase };
    if (resolved.apiKey !== undefined) target.apiKey = resolved.apiKey;
    if (resolved.apiVersion !== undefined) target.apiVersion = resolved.apiVersion;
    out[prefix] = target;
  }
  return out;
}
