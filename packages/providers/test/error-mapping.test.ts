// Every provider failure the fake can script must land on the right taxonomy type, with the wait it asked for.
import type { ErrorType, ProviderKind } from '@switchyard/core';
import { type FakeFault, startFakeProvider } from '@switchyard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { deployment, request } from './deployment.ts';
import { useFakeProvider } from './fixture.ts';

const KEY = 'sk-secret-key-0123456789abcdef';
const messages: string[] = [];

const f = useFakeProvider({ providers: { defaultTimeoutMs: 5_000 } });
afterAll(async () => {
  // Whatever the provider said, the key never comes back out in an error.
  expect(messages.length).toBeGreaterThan(20);
  for (const m of messages) expect(m).not.toContain(KEY);
});

async function failure(provider: ProviderKind, fault: FakeFault) {
  f.fake.script([{ fault }]);
  const base = provider === 'openai' ? `${f.fake.url}/v1` : f.fake.url;
  const err = await f.providers.call(request(deployment(provider, base, { apiKey: KEY }))).then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) =>
      e as { type: ErrorType; status: number; retryAfterMs?: number; message: string; provider?: string },
  );
  messages.push(err.message);
  return err;
}

describe('status → type (all dialects)', () => {
  const table: [number, ErrorType][] = [
    [400, 'BadRequestError'],
    [401, 'AuthenticationError'],
    [403, 'PermissionDeniedError'],
    [404, 'NotFoundError'],
    [408, 'Timeout'],
    [413, 'BadRequestError'],
    [418, 'BadRequestError'],
    [422, 'UnprocessableEntityError'],
    [429, 'RateLimitError'],
    [500, 'InternalServerError'],
    [501, 'InternalServerError'],
    [502, 'ServiceUnavailableError'],
    [503, 'ServiceUnavailableError'],
    [504, 'Timeout'],
  ];
  for (const provider of ['openai', 'azure', 'anthropic'] as const) {
    it.each(table)(`${provider} %i → %s`, async (status, type) => {
      const err = await failure(provider, { kind: 'error', status });
      expect(err).toMatchObject({ type, status, provider });
    });
  }
});

describe('error bodies refine the status', () => {
  it.each(['openai', 'azure', 'anthropic'] as const)(
    '%s context-window error → ContextWindowExceededError',
    async (p) => {
      const err = await failure(p, { kind: 'context-window' });
      expect(err.type).toBe('ContextWindowExceededError');
      expect(err.status).toBe(400);
    },
  );

  it.each(['openai', 'azure', 'anthropic'] as const)(
    '%s content-policy error → ContentPolicyViolationError',
    async (p) => {
      expect((await failure(p, { kind: 'content-policy' })).type).toBe('ContentPolicyViolationError');
    },
  );

  it('Azure ResponsibleAIPolicyViolation inner code alone is enough', async () => {
    const body = {
      error: {
        message: 'blocked',
        code: 'bad_request',
        innererror: { code: 'ResponsibleAIPolicyViolation' },
      },
    };
    const err = await failure('azure', { kind: 'raw', status: 400, body });
    expect(err.type).toBe('ContentPolicyViolationError');
  });

  it('OpenAI "maximum context length" message without a code', async () => {
    const err = await failure('openai', {
      kind: 'error',
      status: 400,
      code: 'invalid_value',
      message: "This model's maximum context length is 4097 tokens.",
    });
    expect(err.type).toBe('ContextWindowExceededError');
  });

  it('a context-length phrase in a 429 stays a RateLimitError (no string matching across statuses)', async () => {
    const err = await failure('openai', {
      kind: 'error',
      status: 429,
      message: 'tokens per min exceeded the context length budget',
    });
    expect(err.type).toBe('RateLimitError');
  });

  it('Azure DeploymentNotFound → NotFoundError', async () => {
    const err = await failure('azure', {
      kind: 'error',
      status: 404,
      code: 'DeploymentNotFound',
      message: 'no such deployment',
    });
    expect(err.type).toBe('NotFoundError');
  });

  it('Anthropic 529 overloaded_error → ServiceUnavailableError keeping status 529', async () => {
    const err = await failure('anthropic', { kind: 'error', status: 529 });
    expect(err).toMatchObject({ type: 'ServiceUnavailableError', status: 529 });
    expect(err.message).toContain('Overloaded');
  });

  it('the provider message is kept for the failedReason', async () => {
    const err = await failure('openai', { kind: 'error', status: 400, message: 'temperature must be <= 2' });
    expect(err.message).toContain('temperature must be <= 2');
  });
});

describe('retry-after from every header, longest wins', () => {
  it('retry-after seconds on a 429', async () => {
    const err = await failure('openai', { kind: 'rate-limit', retryAfterSec: 3 });
    expect(err).toMatchObject({ type: 'RateLimitError', retryAfterMs: 3000 });
  });

  it('retry-after-ms and x-ratelimit-reset-* together', async () => {
    const err = await failure('openai', {
      kind: 'rate-limit',
      retryAfterMs: 1500,
      headers: { 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-reset-tokens': '250ms' },
    });
    expect(err.retryAfterMs).toBe(2000);
  });

  it('a 503 with retry-after carries it too', async () => {
    const err = await failure('anthropic', { kind: 'error', status: 503, retryAfterSec: 4 });
    expect(err).toMatchObject({ type: 'ServiceUnavailableError', retryAfterMs: 4000 });
  });

  it('no header, no wait', async () => {
    expect((await failure('openai', { kind: 'error', status: 429 })).retryAfterMs).toBeUndefined();
  });

  it('the fake’s own rpm enforcement surfaces as RateLimitError with its computed wait', async () => {
    const limited = await startFakeProvider({ rpm: 1 });
    try {
      const dep = deployment('openai', limited.url, { apiKey: KEY });
      await f.providers.call(request(dep));
      const err = (await f.providers.call(request(dep)).catch((e: unknown) => e)) as {
        type: string;
        retryAfterMs?: number;
      };
      expect(err.type).toBe('RateLimitError');
      expect(err.retryAfterMs).toBeGreaterThan(50_000);
      expect(limited.stats().models['gpt-4o-mini']).toMatchObject({ requests: 2, ok: 1, rateLimited: 1 });
    } finally {
      await limited.close();
    }
  });
});

describe('200 answers that are not usable', () => {
  it.each(['openai', 'azure', 'anthropic'] as const)(
    '%s: not JSON → InternalServerError "malformed response"',
    async (p) => {
      const err = await failure(p, { kind: 'malformed' });
      expect(err.type).toBe('InternalServerError');
      expect(err.message).toContain('malformed response');
    },
  );

  it.each(['openai', 'anthropic'] as const)('%s: truncated JSON → InternalServerError', async (p) => {
    const err = await failure(p, { kind: 'truncated' });
    expect(err.type).toBe('InternalServerError');
    expect(err.message).toContain('invalid or truncated JSON');
  });

  it('a chat answer without choices', async () => {
    const err = await failure('openai', { kind: 'raw', body: { id: 'x', object: 'chat.completion' } });
    expect(err.type).toBe('InternalServerError');
    expect(err.message).toContain('no `choices` array');
  });

  it('an Anthropic answer without content', async () => {
    const err = await failure('anthropic', { kind: 'raw', body: { id: 'msg_1', type: 'message' } });
    expect(err.message).toContain('no `content` array');
  });

  it('an error object inside a 200 is mapped like the error it describes', async () => {
    expect((await failure('openai', { kind: 'error-body' })).type).toBe('InternalServerError');
    const limited = await failure('openai', {
      kind: 'error-body',
      type: 'requests',
      code: 'rate_limit_exceeded',
    });
    expect(limited).toMatchObject({ type: 'RateLimitError', status: 429 });
    const overloaded = await failure('anthropic', { kind: 'error-body', type: 'overloaded_error' });
    expect(overloaded.type).toBe('ServiceUnavailableError');
    const ctx = await failure('openai', {
      kind: 'error-body',
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
    });
    expect(ctx.type).toBe('ContextWindowExceededError');
  });
});

describe('secrets', () => {
  it('a provider echoing the key in its message does not leak it', async () => {
    const err = await failure('openai', {
      kind: 'error',
      status: 401,
      message: `Incorrect API key provided: ${KEY}.`,
    });
    expect(err.type).toBe('AuthenticationError');
    expect(err.message).toContain('Incorrect API key provided');
    expect(err.message).not.toContain(KEY);
    expect(err.message).not.toContain(KEY.slice(0, 12));
  });
});
