// Batch input parsing and output assembly: which lines run, which fail alone, which fail the batch.
import { describe, expect, it } from 'vitest';
import {
  assembleResults,
  completionWindowSeconds,
  countInputLines,
  notStartedReason,
  parseBatchInput,
  toJsonl,
} from '../src/index.ts';

const line = (custom_id: unknown, extra: object = {}) =>
  JSON.stringify({
    custom_id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt', messages: [{ role: 'user', content: 'hi' }] },
    ...extra,
  });

describe('parseBatchInput', () => {
  it('keeps valid lines with their 1-based line numbers and skips blank lines', () => {
    const parsed = parseBatchInput(`${line('a')}\n\n${line('b')}\n`, '/v1/chat/completions');
    expect(parsed).toMatchObject({ ok: true, total: 2, invalid: [] });
    if (!parsed.ok) return;
    expect(parsed.requests.map((r) => [r.line, r.customId])).toEqual([
      [1, 'a'],
      [3, 'b'],
    ]);
  });

  it('fails a malformed line alone, with its line number and OpenAI-style code', () => {
    const text = [
      line('a'),
      '{not json',
      '[1,2]',
      line(''),
      line('a'),
      line('m', { method: 'GET' }),
      line('u', { url: undefined }),
      line('n', { body: { messages: [] } }),
      line('s', { body: { model: 'gpt', stream: true } }),
      line('z'),
    ].join('\n');
    const parsed = parseBatchInput(text, '/v1/chat/completions');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.total).toBe(10);
    expect(parsed.requests.map((r) => r.customId)).toEqual(['a', 'z']);
    expect(parsed.invalid.map((f) => [f.line, f.code, f.param])).toEqual([
      [2, 'invalid_json_line', null],
      [3, 'invalid_json_line', null],
      [4, 'missing_required_parameter', 'custom_id'],
      [5, 'duplicate_custom_id', 'custom_id'],
      [6, 'invalid_method', 'method'],
      [7, 'missing_required_parameter', 'url'],
      [8, 'missing_required_parameter', 'body.model'],
      [9, 'invalid_request', 'body.stream'],
    ]);
    expect(parsed.invalid[0]!.message).toMatch(/^line 2: not valid JSON/);
  });

  it('fails the whole batch when no line is a JSON object, when it is empty, or when a line names another endpoint', () => {
    expect(parseBatchInput('a,b\nc,d\n', '/v1/chat/completions')).toMatchObject({
      ok: false,
      errors: [{ code: 'invalid_file_format' }],
    });
    expect(parseBatchInput('\n\n', '/v1/chat/completions')).toMatchObject({
      ok: false,
      errors: [{ code: 'empty_file' }],
    });
    const mixed = parseBatchInput(
      `${line('a')}\n${line('b', { url: '/v1/embeddings' })}`,
      '/v1/chat/completions',
    );
    expect(mixed).toMatchObject({
      ok: false,
      errors: [{ code: 'mismatched_endpoint', line: 2, param: 'url' }],
    });
    // The bare path means the same endpoint, as on the gateway.
    expect(parseBatchInput(line('a', { url: '/chat/completions' }), '/v1/chat/completions').ok).toBe(true);
  });

  it('counts non-blank lines for the request cap', () => {
    expect(countInputLines('a\n\n b \n')).toBe(2);
  });
});

describe('completionWindowSeconds', () => {
  it('reads OpenAI\'s "24h" and other positive durations; refuses the rest', () => {
    expect(completionWindowSeconds('24h')).toBe(86_400);
    expect(completionWindowSeconds('90m')).toBe(5_400);
    expect(completionWindowSeconds('2s')).toBe(2);
    for (const bad of ['0h', '24', 'soon', 24, undefined])
      expect(completionWindowSeconds(bad)).toBeUndefined();
  });
});

describe('assembleResults', () => {
  const slots = [
    { line: 1, customId: 'a', jobId: 'batch_x-1' },
    { line: 2, customId: 'b', jobId: 'batch_x-2' },
    { line: 4, customId: 'c', jobId: 'batch_x-4' },
  ];
  const invalid = [
    { line: 3, customId: null, code: 'invalid_json_line', message: 'line 3: bad', param: null },
  ];

  it('writes results in input order, failures with their taxonomy status, refused lines with their number', () => {
    const out = assembleResults({
      batchId: 'batch_x',
      slots,
      invalid,
      results: new Map([
        ['batch_x-4', { id: 'c' }],
        ['batch_x-1', { id: 'a' }],
      ]),
      failures: new Map([['batch_x-2', 'RateLimitError: slow down']]),
      expired: false,
    });
    expect(out.counts).toEqual({ total: 4, completed: 2, failed: 2 });
    expect(out.output.map((l) => l.custom_id)).toEqual(['a', 'c']);
    expect(out.output[0]).toEqual({
      id: 'batch_req_x_1',
      custom_id: 'a',
      response: { status_code: 200, request_id: 'batch_x-1', body: { id: 'a' } },
      error: null,
    });
    expect(out.errors).toEqual([
      {
        id: 'batch_req_x_2',
        custom_id: 'b',
        response: {
          status_code: 429,
          request_id: 'batch_x-2',
          body: {
            error: {
              message: 'RateLimitError: slow down',
              type: 'rate_limit_error',
              param: null,
              code: 'rate_limit_exceeded',
            },
          },
        },
        error: null,
      },
      {
        id: 'batch_req_x_3',
        custom_id: null,
        response: null,
        error: { code: 'invalid_json_line', message: 'line 3: bad', param: null, line: 3 },
      },
    ]);
  });

  it('requests that never ran are batch_expired on expiry and left out on cancel', () => {
    const base = { batchId: 'batch_x', slots, invalid: [], results: new Map(), failures: new Map() };
    const expired = assembleResults({ ...base, expired: true });
    expect(expired.errors.map((e) => e.error?.code)).toEqual([
      'batch_expired',
      'batch_expired',
      'batch_expired',
    ]);
    expect(expired.counts).toEqual({ total: 3, completed: 0, failed: 3 });
    const cancelled = assembleResults({ ...base, expired: false });
    expect(cancelled.errors).toEqual([]);
    expect(cancelled.counts).toEqual({ total: 3, completed: 0, failed: 0 });
  });

  it('a request refused because its batch stopped first counts as never run, not as a failure', () => {
    const base = { batchId: 'batch_x', slots, invalid: [], results: new Map() };
    const failures = new Map([['batch_x-2', notStartedReason('batch_x', 'cancelled')]]);
    expect(assembleResults({ ...base, failures, expired: false }).errors).toEqual([]);
    const expired = assembleResults({ ...base, failures, expired: true });
    expect(expired.errors.map((e) => [e.custom_id, e.error?.code])).toEqual([
      ['a', 'batch_expired'],
      ['b', 'batch_expired'],
      ['c', 'batch_expired'],
    ]);
  });

  it('toJsonl writes one object a line, newline-terminated', () => {
    expect(toJsonl([{ a: 1 }, { b: 2 }])).toBe('{"a":1}\n{"b":2}\n');
  });
});
