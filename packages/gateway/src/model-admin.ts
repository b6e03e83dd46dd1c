// LiteLLM proxy's admin routes over the fleet's state in Redis, for the master key only: POST /model/new,
// /model/update, /model/delete {"id"}; GET /model/info and /v1/model/info; GET /usage?since=1h&by=group.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SwitchyardClient } from '@switchyard/client';
import { ConfigError, type UsageDimension } from '@switchyard/core';
import { bearerKey, isMasterKey } from './auth.ts';
import { gatewayError } from './openai-error.ts';
import { readJsonBody } from './read-body.ts';
import { sendError, sendJson } from './reply.ts';

/** Resolves false when the request is not the admin route's after all (the gateway goes on routing). */
export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => Promise<undefined | false>;

const MAX_BODY_BYTES = 1024 * 1024;

/** The handler for an admin path, or undefined when the path is not one (the gateway goes on routing). */
export function modelAdminRoute(
  client: SwitchyardClient,
  masterKey: string | undefined,
  method: string,
  pathname: string,
  query: URLSearchParams = new URLSearchParams(),
): AdminHandler | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const bare = path.startsWith('/v1/') ? path.slice(3) : path;
  const action = ACTIONS[bare];
  if (!action) return undefined;
  return async (req, res) => {
    // A load balancer's GET /health carries no key: it gets the cheap probe (the gateway's own route).
    if (bare === '/health' && bearerKey(req.headers) === undefined) return false;
    if (method !== action.method) {
      sendError(res, gatewayError(405, `${pathname} accepts ${action.method} only`), {
        allow: action.method,
      });
      return;
    }
    if (!isMasterKey(req.headers, masterKey)) {
      const why = masterKey
        ? `${bare} needs the master key (Authorization: Bearer <general_settings.master_key>)`
        : `${bare} is off: set general_settings.master_key`;
      sendError(res, gatewayError(masterKey ? 401 : 403, why, 'authentication_error', 'invalid_api_key'));
      return;
    }
    let body: Record<string, unknown> = {};
    if (method === 'POST') {
      const read = await readJsonBody(req, MAX_BODY_BYTES);
      if (!read.ok) {
        sendError(res, read.error);
        return;
      }
      body = read.body;
    }
    try {
      sendJson(res, 200, await action.run(client, body, query));
    } catch (err) {
      if (err instanceof RangeError) {
        const param = /^(\w+):/.exec(err.message)?.[1] ?? null;
        sendError(res, gatewayError(400, err.message, 'invalid_request_error', 'invalid_parameter', param));
        return;
      }
      if (!(err instanceof ConfigError)) throw err;
      // Bad input: the list is unchanged; every problem is named by its field.
      const param = err.issues[0]?.path || null;
      sendError(res, gatewayError(400, err.message, 'invalid_request_error', 'invalid_deployment', param));
    }
  };
}

interface Action {
  method: 'GET' | 'POST';
  run(client: SwitchyardClient, body: Record<string, unknown>, query: URLSearchParams): Promise<unknown>;
}

const modelInfo: Action = {
  method: 'GET',
  async run(client) {
    const { version, entries } = await client.getDeployments();
    return { data: entries, version };
  },
};

/** The changed entry as the list now shows it (no credential), as LiteLLM answers a change. */
async function changed(
  doc: Promise<{ version: number; entries: { model_info: { id: string } }[] }>,
  id: (entries: { model_info: { id: string } }[]) => string | undefined,
) {
  const { version, entries } = await doc;
  const wanted = id(entries);
  return { ...entries.find((e) => e.model_info.id === wanted), version };
}

const ACTIONS: Readonly<Record<string, Action>> = {
  '/model/info': modelInfo,
  // LiteLLM's /health: a worker calls every deployment (or `?model=<group>`'s); the probes stay cheap.
  '/health': {
    method: 'GET',
    run: (client, _body, query) => client.healthCheck(query.get('model') ?? undefined),
  },
  // The fleet's usage totals (switchyard usage): `since` a duration, `by` deployment | group | tag | key.
  '/usage': {
    method: 'GET',
    run: (client, _body, query) =>
      client.getUsageStats({
        since: query.get('since') ?? '1h',
        by: (query.get('by') ?? 'deployment') as UsageDimension,
      }),
  },
  '/model/new': {
    method: 'POST',
    run: (client, body) => changed(client.addDeployment(body), (entries) => entries.at(-1)?.model_info.id),
  },
  '/model/update': {
    method: 'POST',
    run: (client, body) =>
      changed(client.updateDeployment(body), () => {
        const info = body.model_info as { id?: string } | undefined;
        return info?.id;
      }),
  },
  '/model/delete': {
    method: 'POST',
    async run(client, body) {
      const { version } = await client.deleteDeployment(body.id as string);
      return { message: `model ${String(body.id)} deleted`, id: body.id, version };
    },
  },
};
