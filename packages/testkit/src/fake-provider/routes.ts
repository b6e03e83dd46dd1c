// Maps a method + path onto the provider dialect it imitates; anything else is a 404.
import { DIALECTS } from './dialects/index.ts';
import { MEDIA_PATHS } from './media.ts';
import type { FakeEndpoint, FakeRoute } from './types.ts';

const OPENAI_PATHS: Record<string, FakeEndpoint> = {
  '/chat/completions': 'chat.completions',
  '/completions': 'completions',
  '/embeddings': 'embeddings',
  ...MEDIA_PATHS,
};

const AZURE = /^\/openai\/deployments\/([^/]+)(\/.+)$/;
/** Claude on Vertex AI: the Anthropic Messages API behind rawPredict (streamed with `stream: true`). */
const VERTEX_CLAUDE =
  /^\/v1\/projects\/[^/]+\/locations\/[^/]+\/publishers\/anthropic\/models\/([^/:]+):(?:rawPredict|streamRawPredict)$/;

export function resolveRoute(method: string, url: URL): FakeRoute | undefined {
  for (const d of DIALECTS) {
    const route = d.route(method, url);
    if (route) return route;
  }
  const pathname = url.pathname;
  if (method !== 'POST') return undefined;
  const azure = AZURE.exec(pathname);
  if (azure && OPENAI_PATHS[azure[2]!]) {
    return {
      provider: 'azure',
      endpoint: OPENAI_PATHS[azure[2]!]!,
      deployment: decodeURIComponent(azure[1]!),
    };
  }
  if (pathname === '/v1/messages') return { provider: 'anthropic', endpoint: 'messages' };
  const claude = VERTEX_CLAUDE.exec(pathname);
  if (claude) return { provider: 'anthropic', endpoint: 'messages', model: decodeURIComponent(claude[1]!) };
  const bare = pathname.startsWith('/v1/') ? pathname.slice(3) : pathname;
  const endpoint = OPENAI_PATHS[bare];
  return endpoint ? { provider: 'openai', endpoint } : undefined;
}

/** The key limits, stats and rules count against: the Azure deployment or path model, else the body's model. */
export function modelKey(route: FakeRoute, body: Record<string, unknown>): string {
  if (route.deployment !== undefined) return route.deployment;
  if (route.model !== undefined) return route.model;
  return typeof body.model === 'string' ? body.model : '(none)';
}

/** The credential the request carried, whatever header its dialect uses. */
export function apiKeyOf(
  headers: Record<string, string | string[] | undefined>,
  url?: URL,
): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  // SigV4: the access key id is the credential's first field.
  const sigv4 = typeof auth === 'string' ? /^AWS4-HMAC-SHA256 Credential=([^/]+)\//.exec(auth) : null;
  if (sigv4) return sigv4[1];
  const key =
    headers['api-key'] ?? headers['x-api-key'] ?? headers['x-goog-api-key'] ?? url?.searchParams.get('key');
  return typeof key === 'string' ? key : undefined;
}
