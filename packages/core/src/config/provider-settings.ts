// Placement and credentials of the cloud providers (Vertex AI, Bedrock): config first, then LiteLLM's env names.
import type { ConfigIssue } from './config-error.ts';
import type { Env } from './env.ts';
import type { AwsSettings, VertexSettings } from './types.ts';

/** LiteLLM's defaults when neither config nor environment names a place. */
export const DEFAULT_VERTEX_LOCATION = 'us-central1';
export const DEFAULT_AWS_REGION = 'us-west-2';

export interface CloudParams {
  vertexProject?: string;
  vertexLocation?: string;
  vertexCredentials?: string | Record<string, unknown>;
  awsAccessKeyId?: string;
  awsSecretAccessKey?: string;
  awsSessionToken?: string;
  awsRegionName?: string;
  awsProfileName?: string;
  awsRoleName?: string;
  awsSessionName?: string;
  awsStsEndpoint?: string;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function firstEnv(env: Env, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = nonEmpty(env[n]);
    if (v !== undefined) return v;
  }
  return undefined;
}

export function resolveVertex(
  params: CloudParams,
  paramsPath: string,
  env: Env,
  issues: ConfigIssue[],
): VertexSettings | undefined {
  const project =
    params.vertexProject ?? firstEnv(env, ['VERTEXAI_PROJECT', 'VERTEX_PROJECT', 'GOOGLE_CLOUD_PROJECT']);
  if (project === undefined) {
    issues.push({
      path: `${paramsPath}.vertex_project`,
      message: 'Required for provider "vertex_ai" (or set VERTEXAI_PROJECT)',
    });
    return undefined;
  }
  const location =
    params.vertexLocation ??
    firstEnv(env, ['VERTEXAI_LOCATION', 'VERTEX_LOCATION']) ??
    DEFAULT_VERTEX_LOCATION;
  const raw = params.vertexCredentials ?? firstEnv(env, ['VERTEXAI_CREDENTIALS', 'VERTEX_CREDENTIALS']);
  const out: VertexSettings = { project, location };
  if (raw !== undefined) out.credentials = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return out;
}

export function resolveAws(
  params: CloudParams,
  paramsPath: string,
  issues: ConfigIssue[],
  env: Env,
): AwsSettings {
  const region =
    params.awsRegionName ??
    firstEnv(env, ['AWS_REGION_NAME', 'AWS_REGION', 'AWS_DEFAULT_REGION']) ??
    DEFAULT_AWS_REGION;
  const out: AwsSettings = { region };
  // A half-configured key pair is a config mistake, not a reason to fall back to some other identity.
  if ((params.awsAccessKeyId === undefined) !== (params.awsSecretAccessKey === undefined)) {
    const missing = params.awsAccessKeyId === undefined ? 'aws_access_key_id' : 'aws_secret_access_key';
    issues.push({ path: `${paramsPath}.${missing}`, message: 'Required when the other AWS key is set' });
  }
  if (params.awsAccessKeyId !== undefined) out.accessKeyId = params.awsAccessKeyId;
  if (params.awsSecretAccessKey !== undefined) out.secretAccessKey = params.awsSecretAccessKey;
  if (params.awsSessionToken !== undefined) out.sessionToken = params.awsSessionToken;
  if (params.awsProfileName !== undefined) out.profile = params.awsProfileName;
  if (params.awsRoleName !== undefined) {
    out.role = { arn: params.awsRoleName, sessionName: params.awsSessionName ?? 'switchyard' };
    if (params.awsStsEndpoint !== undefined) out.role.stsEndpoint = params.awsStsEndpoint;
  } else if (params.awsSessionName !== undefined || params.awsStsEndpoint !== undefined) {
    const key = params.awsSessionName !== undefined ? 'aws_session_name' : 'aws_sts_endpoint';
    issues.push({ path: `${paramsPath}.${key}`, message: 'Only meaningful with aws_role_name' });
  }
  return out;
}

/** Vertex's regional host (`global` has none). */
export function vertexBase(location: string): string {
  return location === 'global'
    ? 'https://aiplatform.googleapis.com'
    : `https://${location}-aiplatform.googleapis.com`;
}

export function bedrockBase(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com`;
}
