// Validates what producers put on the queue; anything malformed fails its job with BadRequestError at once.
import { type Endpoint, SwitchyardError } from '@switchyard/core';
import { z } from 'zod';

export const ENDPOINTS: readonly Endpoint[] = ['chat.completions', 'completions', 'embeddings'];

const metadata = z
  .object({ tags: z.array(z.string()).optional() })
  .catchall(z.unknown())
  .optional();

const message = z.object({ role: z.string().min(1), content: z.unknown() }).catchall(z.unknown());

const common = { model: z.string().min(1, 'model must name a model group'), metadata };

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
};

/** Internal key the worker keeps in job data across retries; producers never set it. */
export const STATE_KEY = '_switchyard';

export interface ValidJob {
  endpoint: Endpoint;
  /** The OpenAI request body without our internal key and without `metadata`. */
  body: Record<string, unknown>;
  model: string;
  metadata: Record<string, unknown>;
  tags: string[] | undefined;
}

export function isEndpoint(name: string): name is Endpoint {
  return (ENDPOINTS as readonly string[]).includes(name);
}

export function validateJob(name: string, data: unknown): ValidJob {
  if (!isEndpoint(name)) {
    throw new SwitchyardError(
      'BadRequestError',
      `unknown job name "${name}"; expected one of ${ENDPOINTS.join(', ')}`,
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SwitchyardError('BadRequestError', 'job data must be a JSON object (the OpenAI request body)');
  }
  const parsed = schemas[name].safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? issue.path.join('.') : '(root)';
    throw new SwitchyardError('BadRequestError', `invalid ${name} request: ${path}: ${issue?.message}`);
  }
  if (parsed.data.stream === true) {
    throw new SwitchyardError('BadRequestError', 'stream: true is not supported for queued jobs');
  }
  const { [STATE_KEY]: _state, metadata: meta, ...body } = parsed.data;
  const md = (meta ?? {}) as Record<string, unknown>;
  return {
    endpoint: name,
    body,
    model: body.model as string,
    metadata: md,
    tags: Array.isArray(md.tags) ? (md.tags as string[]) : undefined,
  };
}
