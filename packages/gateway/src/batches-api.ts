// OpenAI's Batch API on the gateway: POST|GET /v1/batches, GET /v1/batches/{id},
// POST /v1/batches/{id}/cancel. Each batch runs as one BullMQ flow on the gateway's queue. A caller sees,
// cancels and creates from only what its key created (someone else's answers 404).
import type { BatchService, Caller } from '@switchyard/batch';
import type { ApiHandler, ApiRouter } from './api-route.ts';
import { callerContext } from './caller-context.ts';
import { listPage } from './list-page.ts';
import { readJsonBody } from './read-body.ts';
import { sendError, sendJson } from './reply.ts';

/** The Batch API's router. */
export const batchesRoute: ApiRouter = (batches, caller, method, path, query) => {
  if (path === '/batches') {
    if (method === 'POST') return (req, res) => create(batches, caller, req, res);
    if (method === 'GET') {
      return async (_req, res) => {
        const limit = Number(query.get('limit') ?? 20);
        const page = await batches.list({
          caller,
          limit: Number.isInteger(limit) && limit > 0 && limit <= 100 ? limit : 20,
          ...(query.get('after') ? { after: query.get('after')! } : {}),
        });
        sendJson(res, 200, listPage(page.data, page.hasMore));
      };
    }
    return { kind: 'wrong-method', allow: 'GET, POST' };
  }
  const match = /^\/batches\/([^/]+)(\/cancel)?$/.exec(path);
  if (!match) return undefined;
  const id = decodeURIComponent(match[1]!);
  if (match[2]) {
    return method === 'POST'
      ? async (_req, res) => sendJson(res, 200, await batches.cancel(id, caller))
      : { kind: 'wrong-method', allow: 'POST' };
  }
  return method === 'GET'
    ? async (_req, res) => sendJson(res, 200, await batches.require(id, caller))
    : { kind: 'wrong-method', allow: 'GET' };
};

async function create(
  batches: BatchService,
  caller: Caller,
  req: Parameters<ApiHandler>[0],
  res: Parameters<ApiHandler>[1],
) {
  const read = await readJsonBody(req, 1024 * 1024);
  if (!read.ok) {
    sendError(res, read.error);
    return;
  }
  sendJson(res, 200, await batches.create(read.body, { caller, traceContext: callerContext(req) }));
}
