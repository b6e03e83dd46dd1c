// Vertex AI credentials: `vertex_credentials` (service-account or authorized-user JSON, as text or a file path)
// or Application Default Credentials, through google-auth-library. One client per credential, so tokens are reused.
import { readFileSync } from 'node:fs';
import type { VertexSettings } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/core';
import { scrub } from './scrub.ts';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const ADC = '\u0000adc';

interface HeaderSource {
  getRequestHeaders(url?: string): Promise<Headers>;
}

const clients = new Map<string, HeaderSource>();

type GoogleAuthLibrary = typeof import('google-auth-library');
let library: Promise<GoogleAuthLibrary> | undefined;

/** Loaded on the first Vertex call: workers without Vertex deployments never pay for it at start. */
function googleAuthLibrary(): Promise<GoogleAuthLibrary> {
  if (library === undefined) library = import('google-auth-library');
  return library;
}

function fromJson(
  { GoogleAuth, JWT, UserRefreshClient }: GoogleAuthLibrary,
  json: Record<string, string>,
): HeaderSource {
  if (json.type === 'service_account') {
    // Signs its own JWT (as Google's client libraries do): no token endpoint round trip, nothing to refresh.
    const jwt = new JWT({
      email: json.client_email,
      key: json.private_key,
      keyId: json.private_key_id,
      scopes: [CLOUD_PLATFORM],
    });
    jwt.useJWTAccessWithScope = true;
    return jwt;
  }
  if (json.type === 'authorized_user') {
    return new UserRefreshClient({
      clientId: json.client_id,
      clientSecret: json.client_secret,
      refreshToken: json.refresh_token,
    });
  }
  // external_account, impersonated_service_account…: the library's generic loader knows them all.
  return new GoogleAuth({ credentials: json, scopes: [CLOUD_PLATFORM] });
}

/** JSON.parse errors quote the input: a broken key file must not end up in a message. */
function parseCredentials(text: string): Record<string, string> {
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    throw new Error('vertex_credentials is not valid JSON');
  }
}

async function clientFor(credentials: string | undefined): Promise<HeaderSource> {
  const key = credentials ?? ADC;
  let client = clients.get(key);
  if (!client) {
    const lib = await googleAuthLibrary();
    if (credentials === undefined) client = new lib.GoogleAuth({ scopes: [CLOUD_PLATFORM] });
    else {
      const text = credentials.trim().startsWith('{') ? credentials : readFileSync(credentials, 'utf8');
      client = fromJson(lib, parseCredentials(text));
    }
    clients.set(key, client);
  }
  return client;
}

/** The `authorization` header for a Vertex AI call; failures are AuthenticationErrors with no secret in them. */
export async function vertexAuthHeaders(
  vertex: VertexSettings,
  url: URL,
  deploymentId: string,
): Promise<Record<string, string>> {
  try {
    const headers = await (await clientFor(vertex.credentials)).getRequestHeaders(url.toString());
    const authorization = headers.get('authorization');
    if (!authorization) throw new Error('no authorization header from Google credentials');
    return { authorization };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new SwitchyardError(
      'AuthenticationError',
      scrub(`vertex_ai: could not get Google credentials: ${why}`, [vertex.credentials]).slice(0, 500),
      { provider: 'vertex_ai', deploymentId },
    );
  }
}
