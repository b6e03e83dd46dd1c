import { describe, expect, it } from 'vitest';
import { parseDurationMs, retryAfterMs } from '../src/index.ts';

describe('parseDurationMs (OpenAI x-ratelimit-reset-* format)', () => {
  it.each([
    ['1s', 1000],
    ['6m0s', 360_000],
    ['250ms', 250],
    ['1h2m3.5s', 3_723_500],
    ['0.5s', 500],
    ['20', 20_000],
    ['1m30s', 90_000],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', 'soon', '5 minutes', 'ms'])('rejects %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads retry-after seconds', () => {
    expect(retryAfterMs({ 'retry-after': '7' }, now)).toBe(7000);
  });

  it('reads retry-after as an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now)).toBe(30_000);
  });

  it('a date in the past means no wait, not a negative one', () => {
    expect(retryAfterMs({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }, now)).toBe(0);
  });

  it('reads retry-after-ms', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500' }, now)).toBe(1500);
  });

  it('takes the longest of every header that names a wait', () => {
    const headers = {
      'retry-after': '2',
      'retry-after-ms': '1200',
      'x-ratelimit-reset-requests': '6m0s',
      'x-ratelimit-reset-tokens': '250ms',
    };
    expect(retryAfterMs(headers, now)).toBe(360_000);
  });

  it('is undefined when nothing says to wait, and ignores junk', () => {
    expect(retryAfterMs({}, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'later', 'x-ratelimit-reset-tokens': '??' }, now)).toBeUndefined();
  });

  it('caps a hostile wait at one hour, so a provider cannot park a job for days', () => {
    expect(retryAfterMs({ 'retry-after': '99999999' }, now)).toBe(3_600_000);
    expect(retryAfterMs({ 'x-ratelimit-reset-requests': '700h' }, now)).toBe(3_600_000);
  });
});
