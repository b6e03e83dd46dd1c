// `stream: true` through the gateway: the job's Redis Stream relayed as OpenAI's text/event-stream —
// `data: {chunk}` events, `data: [DONE]` at the end — with the routing headers sent before the first
// chunk. Each event's id is `<job id>:<chunk id>`, so a client that lost the connection resumes with
// `Last-Event-ID` (on the same POST, or `GET /v1/jobs/<id>/stream`) without a second provider call.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from '@opentelemetry/api';
import { type ChunkStream, CompletionError, type SwitchyardClient } from '@switchyard/client';
import { type Endpoint, ERROR_CODES } from '@switchyard/core';
import { gatewayError, type HttpError, taxonomyError } from './openai-error.ts';
import { JOB_ID_HEADER, sendError } from './reply.ts';

/** Where a stream resumes: the job and the last chunk id its reader saw (none: from the start). */
export interface StreamResume {
  jobId: string;
  after?: string;
}

/** `Last-Event-ID: <job id>:<chunk id>` as sent back by an SSE client; undefined when absent or not ours. */
export function resumeFrom(req: IncomingMessage): StreamResume | undefined {
  const raw = req.headers['last-event-id'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const colon = value.indexOf(':');
  if (colon <= 0) return undefined;
  return { jobId: value.slice(0, colon), after: value.slice(colon + 1) };
}

export interface StreamReplyInput {
  client: SwitchyardClient;
  endpoint: Endpoint;
  /** A new job's body; or the job to resume. */
  start: { body: Record<string, unknown>; jobId: string; traceContext?: Context } | { resume: StreamResume };
  res: ServerResponse;
  /** Unexpected (queue) failures before the first byte. */
  onQueueError: (err: unknown, jobId: string) => HttpError;
  /** The gateway is shutting down: end the reply now, telling the caller where to resume. */
  shutdown?: AbortSignal;
}

/** Relays one stream; resolves with the job id once the response has ended. */
export async function serveStream(input: StreamReplyInput): Promise<string> {
  const { client, endpoint, start, res } = input;
  const stop = new AbortController();
  // The caller hung up: stop reading (the job goes on; its stream can be resumed).
  res.on('close', () => stop.abort());
  const onShutdown = () => stop.abort();
  input.shutdown?.addEventListener('abort', onShutdown, { once: true });
  let lastId: string | undefined;
  let stream: ChunkStream;
  if ('resume' in start) {
    const includeUsage = false; // a resumed stream replays what the worker wrote, usage chunk included
    stream = client.resume(start.resume.jobId, {
      ...(start.resume.after ? { after: start.resume.after } : {}),
      signal: stop.signal,
      endpoint,
      includeUsage,
    });
  } else {
    const opts = {
      jobId: start.jobId,
      signal: stop.signal,
      ...(start.traceContext ? { traceContext: start.traceContext } : {}),
    };
    const body = { ...start.body, stream: true as const };
    stream = endpoint === 'completions' ? client.textCompletion(body, opts) : client.stream(body, opts);
  }
  const jobId = stream.jobId;
  const open = (serving?: { deploymentId: string; modelGroup: string }) => {
    if (res.headersSent) return;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      [JOB_ID_HEADER]: jobId,
      ...(serving
        ? {
            'x-switchyard-deployment-id': headerValue(serving.deploymentId),
            'x-switchyard-model-group': headerValue(serving.modelGroup),
          }
        : {}),
    });
  };
  try {
    for await (const item of stream.items()) {
      if (item.kind === 'start') {
        open(item);
        continue;
      }
      open();
      lastId = item.id;
      res.write(`id: ${jobId}:${item.id}\ndata: ${JSON.stringify(item.chunk)}\n\n`);
    }
    open();
    res.end('data: [DONE]\n\n');
  } catch (err) {
    if (input.shutdown?.aborted && !res.writableEnded) {
      const error = released(jobId, lastId);
      if (res.headersSent) res.end(`data: ${JSON.stringify(error.body)}\n\n`);
      else sendError(res, error, { [JOB_ID_HEADER]: jobId });
      return jobId;
    }
    if (stop.signal.aborted) return jobId;
    const error =
      err instanceof CompletionError
        ? taxonomyError(err.type, err.message)
        : restartOrQueue(err, jobId, input);
    if (!res.headersSent) {
      sendError(res, error, { [JOB_ID_HEADER]: jobId });
      return jobId;
    }
    // After the first byte the status is sent: OpenAI's SDKs raise an error event as an APIError.
    res.end(`data: ${JSON.stringify(error.body)}\n\n`);
  } finally {
    input.shutdown?.removeEventListener('abort', onShutdown);
  }
  return jobId;
}

/** Shutdown mid-answer: the job goes on in the workers; the caller resumes where it was on another gateway. */
function released(jobId: string, lastId: string | undefined): HttpError {
  const resume = `GET /v1/jobs/${jobId}/stream${lastId ? ` with Last-Event-ID: ${jobId}:${lastId}` : ''}`;
  return gatewayError(
    503,
    `the gateway is shutting down; the job keeps running: resume with ${resume}`,
    'service_unavailable_error',
    ERROR_CODES.gatewayReleased,
  );
}

function restartOrQueue(err: unknown, jobId: string, input: StreamReplyInput): HttpError {
  if ((err as { code?: unknown }).code === ERROR_CODES.streamRestarted) {
    return gatewayError(
      503,
      `${(err as Error).message} (GET /v1/jobs/${jobId}/stream with Last-Event-ID: ${jobId}:${(err as { markerId: string }).markerId})`,
      'service_unavailable_error',
      ERROR_CODES.streamRestarted,
    );
  }
  return input.onQueueError(err, jobId);
}

function headerValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}
