import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../src/errors/taxonomy.ts';
import { filterByContextWindow, maxInputTokens } from '../src/precall/context-window.ts';
import { deployment } from './strategies/fixtures.ts';

const small = deployment('small', { model: 'local-small', info: { maxInputTokens: 100 } });
const large = deployment('large', { model: 'local-large', info: { maxInputTokens: 10_000 } });
const unknown = deployment('unknown', { model: 'local-unknown' });

// ~1 token per word: 500 words is well past 100 tokens and well under 10,000.
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 10}`).join(' ');
const chat = (text: string) => ({ model: 'gpt', messages: [{ role: 'user', content: text }] });

describe('filterByContextWindow', () => {
  it('drops deployments whose max input tokens the chat prompt exceeds', () => {
    expect(
      filterByContextWindow([small, large], 'chat.completions', chat(words(500))).map((d) => d.id),
    ).toEqual(['large']);
  });

  it('keeps every deployment for a prompt that fits', () => {
    expect(filterByContextWindow([small, large], 'chat.completions', chat('hello there'))).toEqual([
      small,
      large,
    ]);
  });

  it('counts text content parts and the completions prompt too', () => {
    const parts = { messages: [{ role: 'user', content: [{ type: 'text', text: words(500) }] }] };
    expect(filterByContextWindow([small, large], 'chat.completions', parts).map((d) => d.id)).toEqual([
      'large',
    ]);
    const completion = { prompt: words(500) };
    expect(filterByContextWindow([small, large], 'completions', completion).map((d) => d.id)).toEqual([
      'large',
    ]);
  });

  it('throws ContextWindowExceededError when the prompt fits no deployment', () => {
    let error: unknown;
    try {
      filterByContextWindow([small], 'chat.completions', chat(words(500)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).type).toBe('ContextWindowExceededError');
    expect((error as SwitchyardError).message).toMatch(/model group gpt/);
  });

  it('keeps deployments with no known limit', () => {
    expect(
      filterByContextWindow([small, unknown], 'chat.completions', chat(words(500))).map((d) => d.id),
    ).toEqual(['unknown']);
  });

  it('uses the dataset context window when model_info has none (gpt-4o: 128k)', () => {
    const gpt4o = deployment('4o', { model: 'gpt-4o' });
    expect(maxInputTokens(gpt4o)).toBe(128_000);
    expect(() => filterByContextWindow([gpt4o], 'chat.completions', chat(words(130_000)))).toThrow(
      /ContextWindowExceededError|context window/,
    );
  });

  it('does not throw on special-token text in user content', () => {
    const body = chat(`${'<|endoftext|> '.repeat(50)}`);
    expect(filterByContextWindow([small, large], 'chat.completions', body).map((d) => d.id)).toEqual([
      'large',
    ]);
  });
});
