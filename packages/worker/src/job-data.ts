// Validates what producers put on the queue; anything malformed fails its job with BadRequestError at once.
import {
  base64Bytes,
  DEFAULT_MAX_AUDIO_BYTES,
  ENDPOINTS,
  type Endpoint,
  isEndpoint,
  JOB_NAMES,
  STATE_KEY,
  SwitchyardError,
  TRACE_KEY,
  USER_AGENT_METADATA,
} from '@switchyard/core';
import { z } from 'zod';
import { type RequestRouterParams, splitRouterParams } from './request-params.ts';

/** Tags select deployments and enter cache keys and logs: a request may not send thousands. */
export const MAX_TAGS = 32;
export const MAX_TAG_LENGTH = 128;

const metadata = z
  .object({ tags: z.array(z.string().max(MAX_TAG_LENGTH)).max(MAX_TAGS).optional() })
  .catchall(z.unknown())
  .optional();

const message = z.object({ role: z.string().min(1), content: z.unknown() }).catchall(z.unknown());

/** Model names end up in failure messages; a megabyte "name" must not become a megabyte reason. */
const MAX_MODEL_LENGTH = 256;

const common = {
  model: z.string().min(1, 'model must name a model group').max(MAX_MODEL_LENGTH),
  metadata,
};

const text = z.string().min(1);

/** An audio upload (AudioFile): the bytes as base64, the name the provider reads the format from. */
const audioFile = z.object({
  filename: z.string().min(1).max(MAX_MODEL_LENGTH),
  data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'file.data must be base64'),
  content_type: z.string().max(MAX_MODEL_LENGTH).optional(),
});

const transcription = z
  .object({ ...common, file: audioFile, response_format: z.string().optional() })
  .catchall(z.unknown());

/** OpenAI's moderation input: text(s), or the multimodal parts list. */
const moderationInput = z.union([
  text,
  z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).min(1),
]);

const schemas: Record<Endpoint, z.ZodType<Record<string, unknown>>> = {
  'chat.completions': z
    .object({ ...common, messages: z.array(message).min(1, 'messages must not be empty') })
    .catchall(z.unknown()),
  completions: z
    .object({ ...common, prompt: z.union([z.string(), z.array(z.string()), z.array(z.number())]) })
    .catchall(z.unknown()),
  embeddings: z
    .object({
      ...common,
      input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
    })
    .catchall(z.unknown()),
  'images.generations': z.object({ ...common, prompt: text }).catchall(z.unknown()),
  'audio.transcriptions': transcription,
  'audio.translations': transcription,
  'audio.speech': z.object({ ...common, input: text, voice: z.unknown() }).catchall(z.unknown()),
  moderations: z.object({ ...common, input: moderationInput }).catchall(z.unknown()),
  // LiteLLM's rerank: Cohere's request shape.
  rerank: z
    .object({
      ...common,
      query: text,
      documents: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).min(1),
      top_n: z.number().int().positive().optional(),
    })
    .catchall(z.unknown()),
};

/** Limits on job data that come from the config. */
export interface JobLimits {
  /** `switchyard_settings.max_audio_bytes`. @defaultValue DEFAULT_MAX_AUDIO_BYTES */
  maxAudioBytes?: number;
}

export interface ValidJob {
  endpoint: Endpoint;
  /** The OpenAI request body without our internal key (read by the worker only) and without `metadata`. */
  body: Record<string, unknown>;
  model: string;
  metadata: Record<string, unknown>;
  tags: string[] | undefined;
  /** `metadata.user_agent` (the gateway's caller's User-Agent), for deployments' `tag_regex`. */
  userAgent: string | undefined;
  /** LiteLLM per-request router parameters, taken out of `body`. */
  params: RequestRouterParams;
}

/** Stands in for stored job data that is not JSON (see SwitchyardWorker). */
export class UnparseableJobData {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

/**
 * Deeper data parses fine but overflows the stack later (JSON.stringify of the provider request or
 * of the retry state), so it is refused up front. Real requests nest a handful of levels.
 */
export const MAX_DATA_DEPTH = 64;

export function validateJob(name: string, data: unknown, limits: JobLimits = {}): ValidJob {
  if (data instanceof UnparseableJobData) {
    throw new SwitchyardError('BadRequestError', `job data is not valid JSON: ${data.reason}`);
  }
  if (!isEndpoint(name)) {
    throw new SwitchyardError(
      'BadRequestError',
      `unknown job name "${clip(name)}"; expected one of ${JOB_NAMES.join(', ')}`,
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SwitchyardError('BadRequestError', 'job data must be a JSON object (the OpenAI request body)');
  }
  if (depthExceeds(data, MAX_DATA_DEPTH)) {
    throw new SwitchyardError('BadRequestError', `job data nests deeper than ${MAX_DATA_DEPTH} levels`);
  }
  const parsed = schemas[name].safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? issue.path.join('.') : '(root)';
    throw new SwitchyardError('BadRequestError', `invalid ${name} request: ${path}: ${issue?.message}`);
  }
  if (parsed.data.stream === true && !ENDPOINTS[name].streams) {
    throw new SwitchyardError('BadRequestError', `${name} cannot be streamed (stream: true)`);
  }
  if (ENDPOINTS[name].upload) refuseLargeFile(name, parsed.data.file as { data: string }, limits);
  // Routing state and trace context are Switchyard's, never the provider's.
  const { [STATE_KEY]: _state, [TRACE_KEY]: _trace, metadata: meta, ...withParams } = parsed.data;
  const { body, params } = splitRouterParams(withParams);
  const md = (meta ?? {}) as Record<string, unknown>;
  return {
    endpoint: name,
    body,
    params,
    model: body.model as string,
    metadata: md,
    tags: Array.isArray(md.tags) ? (md.tags as string[]) : undefined,
    // Any other shape routes as no User-Agent: a producer's odd metadata should not fail its job.
    userAgent: typeof md[USER_AGENT_METADATA] === 'string' ? md[USER_AGENT_METADATA] : undefined,
  };
}

/** Audio uploads are capped like OpenAI's (25 MiB): the bytes sit in Redis for the job's whole life. */
function refuseLargeFile(name: Endpoint, file: { data: string }, limits: JobLimits): void {
  const max = limits.maxAudioBytes ?? DEFAULT_MAX_AUDIO_BYTES;
  const bytes = base64Bytes(file.data);
  if (bytes > max) {
    throw new SwitchyardError(
      'BadRequestError',
      `${name}: file is ${bytes} bytes, more than max_audio_bytes (${max} bytes)`,
    );
  }
}

function clip(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** Iterative, so that checking hostile depth cannot itself overflow the stack. */
function depthExceeds(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}
