// Writing answers: JSON bodies and the `x-switchyard-*` headers that expose routing to HTTP callers
// which never look at the body's extra `routing` key.
import type { ServerResponse } from 'node:http';
import type { RoutedResult, SpeechAudio } from '@switchyard/client';
import type { HttpError } from './openai-error.ts';

export const JOB_ID_HEADER = 'x-switchyard-job-id';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/**
 * A job's answer as OpenAI sends it: speech as its audio bytes, a `text`/`srt`/`vtt` transcript as plain
 * text, everything else as JSON (the `routing` key included).
 */
export function sendAnswer(
  res: ServerResponse,
  answer: RoutedResult | SpeechAudio,
  headers: Record<string, string>,
): void {
  if (Buffer.isBuffer(answer)) {
    sendBytes(res, answer, answer.contentType, headers);
    return;
  }
  if (answer.object === 'audio.transcription.text') {
    sendBytes(res, Buffer.from(String(answer.text ?? ''), 'utf8'), 'text/plain; charset=utf-8', headers);
    return;
  }
  sendJson(res, 200, answer, headers);
}

function sendBytes(res: ServerResponse, bytes: Buffer, type: string, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, { 'content-type': type, 'content-length': bytes.length, ...headers });
  res.end(bytes);
}

export function sendError(res: ServerResponse, error: HttpError, headers: Record<string, string> = {}): void {
  sendJson(res, error.status, error.body, headers);
}

export function routingHeaders(jobId: string, result: Pick<RoutedResult, 'routing'>): Record<string, string> {
  const routing = result.routing;
  return {
    [JOB_ID_HEADER]: headerValue(jobId),
    ...(routing
      ? {
          'x-switchyard-deployment-id': headerValue(routing.deploymentId),
          'x-switchyard-model-group': headerValue(routing.modelGroup),
          'x-switchyard-attempts': String(routing.attempts?.length ?? 0),
        }
      : {}),
  };
}

/** Config-chosen names may hold characters a header cannot carry; those are percent-encoded, not dropped. */
function headerValue(value: string): string {
  const s = String(value);
  return /^[\x20-\x7e]*$/.test(s) ? s : encodeURIComponent(s);
}
