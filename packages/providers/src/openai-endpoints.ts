// Each endpoint in the OpenAI wire format (OpenAI, Azure, compatible servers): how its request goes out
// (JSON, or multipart for audio uploads) and how its answer is read (JSON, plain-text transcripts, audio bytes).
import {
  type AudioFile,
  ENDPOINTS,
  type Endpoint,
  type SpeechResult,
  SwitchyardError,
  TEXT_TRANSCRIPT_FORMATS,
  type TextTranscript,
  type UnitUsage,
} from '@switchyard/core';
import type { ProviderRequest, ProviderResponse } from './adapter.ts';
import { malformedResponse } from './errors.ts';
import { errorContext, type HttpExchange } from './exchange.ts';
import { num, parseJsonObject } from './json-body.ts';
import { openAIUsage } from './openai-usage.ts';

/** Keys of ours or of the streaming path that must not reach the provider on a plain call. */
const OWN_KEYS = ['metadata', 'stream', 'stream_options'];

/** Deployment `extraParams` under the request's own params; `model` is the deployment's. */
export function openAIRequestBody(req: ProviderRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...req.deployment.extraParams,
    ...req.body,
    model: req.deployment.model,
  };
  for (const k of OWN_KEYS) delete body[k];
  return body;
}

/** The request as sent: a JSON object, or the multipart form of an audio upload. */
export function openAIPayload(req: ProviderRequest): Record<string, unknown> | FormData {
  const body = openAIRequestBody(req);
  return ENDPOINTS[req.endpoint].upload ? uploadForm(body) : body;
}

/** OpenAI's multipart fields: the file as a part, arrays as repeated `key[]`, everything else as text. */
function uploadForm(body: Record<string, unknown>): FormData {
  const { file, ...fields } = body;
  const audio = file as AudioFile; // shape checked when the job was validated
  const form = new FormData();
  const type = audio.content_type ?? 'application/octet-stream';
  form.append('file', new Blob([Buffer.from(audio.data, 'base64')], { type }), audio.filename);
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) form.append(`${key}[]`, String(v));
    else form.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return form;
}

/** The list every JSON answer of the endpoint must carry (a 200 without it is malformed). */
const ANSWER_LIST: Partial<Record<Endpoint, string>> = {
  'chat.completions': 'choices',
  completions: 'choices',
  embeddings: 'data',
  'images.generations': 'data',
  moderations: 'results',
  rerank: 'results',
};

export function readOpenAIResponse(req: ProviderRequest, ex: HttpExchange): ProviderResponse {
  const ctx = errorContext(req);
  if (req.endpoint === 'audio.speech') return speechAnswer(req, ex);
  const format = req.body.response_format;
  if (ENDPOINTS[req.endpoint].upload && typeof format === 'string' && TEXT_TRANSCRIPT_FORMATS.has(format)) {
    const text: TextTranscript = {
      object: 'audio.transcription.text',
      response_format: format as TextTranscript['response_format'],
      text: ex.text,
    };
    return { body: { ...text }, usage: openAIUsage({}), headers: ex.headers };
  }
  const body = parseJsonObject(ctx, ex);
  const list = ANSWER_LIST[req.endpoint];
  if (list !== undefined && !Array.isArray(body[list]))
    throw malformedResponse(ctx, `no \`${list}\` array`, ex.text, ex.headers);
  if (list === undefined && typeof body.text !== 'string')
    throw malformedResponse(ctx, 'no `text`', ex.text, ex.headers);
  const usage = openAIUsage((body.usage ?? {}) as Record<string, unknown>);
  const units = unitsOf(req, body);
  return { body, usage: units ? { ...usage, units } : usage, headers: ex.headers };
}

/** What the non-text endpoints bill by, read from the answer (absent: the answer does not say). */
function unitsOf(req: ProviderRequest, body: Record<string, unknown>): UnitUsage | undefined {
  switch (req.endpoint) {
    case 'images.generations':
      return { images: (body.data as unknown[]).length };
    case 'audio.transcriptions':
    case 'audio.translations': {
      // `usage: {type: "duration", seconds}` (whisper-1), else verbose_json's `duration`.
      const usage = (body.usage ?? {}) as Record<string, unknown>;
      const seconds = num(usage.seconds) || num(body.duration);
      return seconds > 0 ? { audioSeconds: seconds } : undefined;
    }
    case 'rerank': {
      const billed = ((body.meta as Record<string, unknown> | undefined)?.billed_units ?? {}) as Record<
        string,
        unknown
      >;
      return { queries: num(billed.search_units) || 1 };
    }
    default:
      return undefined;
  }
}

function speechAnswer(req: ProviderRequest, ex: HttpExchange): ProviderResponse {
  const bytes = ex.bytes ?? Buffer.alloc(0);
  if (bytes.length === 0) throw malformedResponse(errorContext(req), 'empty audio', '', ex.headers);
  const contentType = ex.headers['content-type'];
  if (contentType?.startsWith('application/json')) {
    // A 200 carrying a JSON error instead of audio (some compatible servers do this).
    parseJsonObject(errorContext(req), { ...ex, text: bytes.toString('utf8') });
    throw new SwitchyardError('InternalServerError', `${req.deployment.provider}: JSON instead of audio`);
  }
  const speech: SpeechResult = {
    object: 'audio.speech',
    content_type: contentType ?? 'application/octet-stream',
    data: bytes.toString('base64'),
    bytes: bytes.length,
  };
  const input = typeof req.body.input === 'string' ? req.body.input : '';
  return {
    body: { ...speech },
    usage: { ...openAIUsage({}), units: { characters: input.length } },
    headers: ex.headers,
  };
}
