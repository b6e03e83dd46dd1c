// OpenAI's Files API on the gateway: POST /v1/files (multipart, purpose "batch"), GET /v1/files,
// GET|DELETE /v1/files/{id}, GET /v1/files/{id}/content. Files live in Redis (the batch store); each
// caller sees only the files its key created (someone else's answer 404, as if they did not exist).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatchService, Caller } from '@switchyard/batch';
import type { ApiRouter } from './api-route.ts';
import { listPage } from './list-page.ts';
import { gatewayError } from './openai-error.ts';
import { readRawBody } from './read-body.ts';
import { sendError, sendJson } from './reply.ts';

/** Room for the multipart envelope and the `purpose` field around a file at the cap. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** The Files API's router. */
export const filesRoute: ApiRouter = (batches, caller, method, path, query) => {
  if (path === '/files') {
    if (method === 'POST') return (req, res) => upload(batches, caller, req, res);
    if (method === 'GET') return (_req, res) => list(batches, caller, res, query);
    return { kind: 'wrong-method', allow: 'GET, POST' };
  }
  const match = /^\/files\/([^/]+)(\/content)?$/.exec(path);
  if (!match) return undefined;
  const id = decodeURIComponent(match[1]!);
  if (match[2])
    return method === 'GET'
      ? (_req, res) => content(batches, caller, id, res)
      : { kind: 'wrong-method', allow: 'GET' };
  if (method === 'GET')
    return async (_req, res) => sendJson(res, 200, await batches.files.require(id, caller));
  if (method === 'DELETE') return (_req, res) => remove(batches, caller, id, res);
  return { kind: 'wrong-method', allow: 'GET, DELETE' };
};

async function upload(
  batches: BatchService,
  caller: Caller,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const files = batches.files;
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    sendError(res, gatewayError(400, 'POST /v1/files takes multipart/form-data with `file` and `purpose`'));
    return;
  }
  const raw = await readRawBody(req, files.maxBytes + MULTIPART_OVERHEAD_BYTES);
  if (!raw) {
    // The unread remainder of a refused upload is not worth receiving.
    res.setHeader('connection', 'close');
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    throw files.tooLarge(Number.isFinite(declared) ? declared : undefined);
  }
  let form: FormData;
  try {
    // The web platform's own multipart parser (undici's), fed the bytes already read under the cap.
    form = await new Response(raw, { headers: { 'content-type': type } }).formData();
  } catch (err) {
    sendError(res, gatewayError(400, `could not read the multipart body: ${(err as Error).message}`));
    return;
  }
  const purpose = form.get('purpose');
  if (purpose !== 'batch') {
    sendError(
      res,
      gatewayError(
        400,
        `purpose must be "batch" (got ${JSON.stringify(purpose)})`,
        undefined,
        null,
        'purpose',
      ),
    );
    return;
  }
  const file = form.get('file');
  if (!(file instanceof Blob)) {
    sendError(res, gatewayError(400, 'the multipart body needs a `file` part', undefined, null, 'file'));
    return;
  }
  const filename = file instanceof File && file.name ? file.name : 'upload.jsonl';
  const object = await files.put({
    purpose,
    filename,
    content: Buffer.from(await file.arrayBuffer()),
    ...(caller.owner !== undefined ? { owner: caller.owner } : {}),
  });
  sendJson(res, 200, object);
}

async function list(
  batches: BatchService,
  caller: Caller,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const limit = Number(query.get('limit') ?? 10_000);
  const data = await batches.files.list({
    caller,
    ...(query.get('purpose') ? { purpose: query.get('purpose')! } : {}),
    ...(query.get('after') ? { after: query.get('after')! } : {}),
    limit: Number.isInteger(limit) && limit > 0 ? limit + 1 : 10_001,
  });
  const page = Number.isInteger(limit) && limit > 0 ? data.slice(0, limit) : data.slice(0, 10_000);
  sendJson(res, 200, listPage(page, data.length > page.length));
}

async function content(batches: BatchService, caller: Caller, id: string, res: ServerResponse) {
  await batches.files.require(id, caller);
  const bytes = await batches.files.content(id);
  if (!bytes) {
    sendError(res, gatewayError(404, `no file ${id} (unknown, deleted or expired)`, 'not_found_error'));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
  res.end(bytes);
}

async function remove(batches: BatchService, caller: Caller, id: string, res: ServerResponse) {
  await batches.files.require(id, caller);
  await batches.files.delete(id);
  sendJson(res, 200, { id, object: 'file', deleted: true });
}
