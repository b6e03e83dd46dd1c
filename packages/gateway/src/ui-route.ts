// `GET /ui`: the live dashboard. The page itself holds no data; it polls `GET /ui/state` (JSON) every
// second with a session cookie from `POST /ui/session {key}`. A link may carry the key in its fragment
// (`/ui#key=…`): browsers never send a fragment, so the key reaches neither the access log nor a proxy's.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DashboardState } from '@switchyard/observability';
import { gatewayError } from './openai-error.ts';
import { isJsonContentType, readJsonBody } from './read-body.ts';
import { sendError, sendJson } from './reply.ts';
import { sessionCookie, type ViewerAuth } from './viewer-auth.ts';

/** Reads the fleet now; rejects when Redis cannot be read. */
export type DashboardSource = () => Promise<DashboardState>;

const PAGE = readFileSync(new URL('./ui/dashboard.html', import.meta.url));

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // The page talks to its own origin only; nothing may frame it.
  'content-security-policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

export type UiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The handler for a dashboard path, or undefined when the path is not one. */
export function uiRoute(
  method: string,
  pathname: string,
  viewer: ViewerAuth,
  source: DashboardSource | undefined,
): UiHandler | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const only = (allow: 'GET' | 'POST', handler: UiHandler): UiHandler =>
    method === allow
      ? handler
      : async (_req, res) => sendError(res, gatewayError(405, `${path} accepts ${allow} only`), { allow });
  if (path === '/ui') {
    return only('GET', async (_req, res) => {
      res.writeHead(200, { ...PAGE_HEADERS, 'content-length': PAGE.length }).end(PAGE);
    });
  }
  if (path === '/ui/session') return only('POST', (req, res) => startSession(req, res, viewer));
  if (path === '/ui/state') {
    return only('GET', async (req, res) => {
      if (!viewer.allows(req.headers)) {
        sendError(res, unauthorized());
        return;
      }
      if (!source) {
        sendError(
          res,
          gatewayError(
            404,
            "the dashboard needs the workers' config: start the gateway with --config",
            'not_found_error',
          ),
        );
        return;
      }
      try {
        sendJson(res, 200, await source(), { 'cache-control': 'no-store' });
      } catch {
        sendError(
          res,
          gatewayError(503, 'fleet state unavailable: Redis unreachable', 'service_unavailable_error'),
        );
      }
    });
  }
  return undefined;
}

async function startSession(req: IncomingMessage, res: ServerResponse, viewer: ViewerAuth): Promise<void> {
  // JSON only: a cross-site form cannot post it (no CSRF through a simple request).
  if (!isJsonContentType(req.headers['content-type'])) {
    sendError(res, gatewayError(415, 'request bodies must be application/json'));
    return;
  }
  const read = await readJsonBody(req, 4096);
  if (!read.ok) {
    sendError(res, read.error);
    return;
  }
  const key = typeof read.body.key === 'string' ? read.body.key : '';
  const cookie = viewer.required ? viewer.session(key) : undefined;
  if (viewer.required && !cookie) {
    sendError(res, unauthorized());
    return;
  }
  res.writeHead(204, cookie ? { 'set-cookie': sessionCookie(cookie) } : {}).end();
}

export function unauthorized() {
  return gatewayError(
    401,
    'needs the master key or a read-only key (Authorization: Bearer <key>, or a dashboard session)',
    'authentication_error',
    'invalid_api_key',
  );
}
