// An audio upload (`/v1/audio/transcriptions`, `/v1/audio/translations`) read as OpenAI sends it — multipart
// with a `file` part — into job data: the file as base64 (AudioFile), every other field beside it.
import type { IncomingMessage } from 'node:http';
import type { AudioFile } from '@switchyard/core';
import { gatewayError } from './openai-error.ts';
import { type BodyResult, readRawBody } from './read-body.ts';

/** Room for the multipart envelope and the text fields around a file at the cap. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** Fields OpenAI sends as numbers in a form (every form value arrives as text). */
const NUMERIC_FIELDS = new Set(['temperature']);

export function isMultipart(contentType: string | undefined): boolean {
  return /^multipart\/form-data\s*;/i.test(contentType ?? '');
}

export async function readAudioForm(req: IncomingMessage, maxAudioBytes: number): Promise<BodyResult> {
  const tooLarge = (bytes?: number): BodyResult => ({
    ok: false,
    error: gatewayError(
      400,
      `file is ${bytes === undefined ? 'larger than' : `${bytes} bytes, more than`} max_audio_bytes (${maxAudioBytes} bytes)`,
      'invalid_request_error',
      'file_too_large',
      'file',
    ),
  });
  const raw = await readRawBody(req, maxAudioBytes + FORM_OVERHEAD_BYTES);
  if (!raw) return tooLarge();
  let form: FormData;
  try {
    // The web platform's own multipart parser (undici's), fed the bytes already read under the cap.
    form = await new Response(raw, {
      headers: { 'content-type': req.headers['content-type'] ?? '' },
    }).formData();
  } catch (err) {
    return {
      ok: false,
      error: gatewayError(400, `could not read the multipart body: ${(err as Error).message}`),
    };
  }
  const file = form.get('file');
  if (!(file instanceof Blob)) {
    return {
      ok: false,
      error: gatewayError(400, 'the form has no `file` part', 'invalid_request_error', null, 'file'),
    };
  }
  if (file.size > maxAudioBytes) return tooLarge(file.size);
  const body: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    if (key === 'file') continue;
    const values = form.getAll(key).filter((v): v is string => typeof v === 'string');
    // OpenAI's SDKs send arrays as repeated `key[]` fields (timestamp_granularities[]).
    if (key.endsWith('[]')) body[key.slice(0, -2)] = values;
    else if (NUMERIC_FIELDS.has(key) && values[0] !== undefined && Number.isFinite(Number(values[0])))
      body[key] = Number(values[0]);
    else body[key] = values[0];
  }
  const audio: AudioFile = {
    filename: file instanceof File && file.name ? file.name : 'audio',
    data: Buffer.from(await file.arrayBuffer()).toString('base64'),
    ...(file.type ? { content_type: file.type } : {}),
  };
  body.file = audio;
  return { ok: true, body };
}
