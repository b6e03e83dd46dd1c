import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPLETION_TOKENS, estimateTokens } from '../src/precall/estimate-tokens.ts';

describe('estimateTokens', () => {
  it('is about a quarter of the prompt characters plus max_tokens', () => {
    const body = { messages: [{ role: 'user', content: 'x'.repeat(4000) }], max_tokens: 100 };
    const estimate = estimateTokens('chat.completions', body);
    expect(estimate).toBeGreaterThanOrEqual(1100);
    expect(estimate).toBeLessThan(1120);
  });

  it('prefers max_completion_tokens, else assumes a small default completion', () => {
    const messages = [{ role: 'user', content: 'hi' }];
    expect(
      estimateTokens('chat.completions', { messages, max_completion_tokens: 10, max_tokens: 999 }),
    ).toBeLessThan(20);
    expect(estimateTokens('chat.completions', { messages })).toBeGreaterThanOrEqual(
      DEFAULT_COMPLETION_TOKENS,
    );
  });

  it('reads prompt for completions and input for embeddings (no completion budget)', () => {
    expect(estimateTokens('completions', { prompt: 'y'.repeat(400), max_tokens: 0 })).toBe(100);
    expect(estimateTokens('embeddings', { input: ['a'.repeat(40), 'b'.repeat(40)] })).toBe(21);
    expect(
      estimateTokens('embeddings', {
        input: [
          [1, 2, 3],
          [4, 5],
        ],
      }),
    ).toBe(5);
  });

  it('tolerates malformed bodies', () => {
    expect(estimateTokens('chat.completions', null)).toBe(DEFAULT_COMPLETION_TOKENS);
    expect(estimateTokens('chat.completions', { messages: 'nope' })).toBe(DEFAULT_COMPLETION_TOKENS);
  });
});
