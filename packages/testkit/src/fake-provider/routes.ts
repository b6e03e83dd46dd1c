// Maps a method + path onto the provider dialect it imitates; anything else is a 404.
import type { FakeEndpoint, FakeRoute } from './types.ts';

const OPENAI_PATHS: Record<string, FakeEndpoint> = {
  '/chat/completions': 'chat.completions',
  '/completions': 'completions',
  '/embeddings': 'embeddings',
};

const AZURE = /^\/openai\/deployments\/([^/]+)(\/chat\/completions|\/completions|\/embeddings)$/;

export function resolveRoute(method: string, pathname: string): FakeRoute | undefined {
  if (method !== 'POST') return undefined;
  const azure = AZURE.exec(pathname);
  if (azure) {
    return {
      provider: 'azure',
      endpoint: OPENAI_PATHS[azure[2]!]!,
      deployment: decodeURIComponent(azure[1]!),
    };
  }
  if (pathname === '/v1/messages') return { provider: 'anthropic', endpoint: 'messages' };
  const bare = pathname.startsWith('/v1/') ? pathname.slice(3) : pathname;
  const endpoint = OPENAI_PATHS[bare];
  return endpoint ? { provider: 'openai', endpoint } : undefined;
}

/** The key limits, stats and rules count against: the Azure deployment, else the body's model. */
export function modelKey(route: FakeRoute, body: Record<string, unknown>): string {
  if (route.deployment !== undefined) return route.deployment;
  return typeof body.model === 'string' ? body.model : '(none)';
}

/** The credential the request carried, whatever header its dialect uses. */
export function apiKeyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const key = headers['api-key'] ?? headers['x-api-key'];
  return typeof key === 'string' ? key : undefined;
}
