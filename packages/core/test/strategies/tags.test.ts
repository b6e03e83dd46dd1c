// tag_regex routing: a pattern matching `User-Agent: <metadata.user_agent>` counts as a tag match.
import { describe, expect, it } from 'vitest';
import { MAX_USER_AGENT_CHARS } from '../../src/contract/metadata.ts';
import { SwitchyardError } from '../../src/errors/taxonomy.ts';
import { filterByTags } from '../../src/strategies/tags.ts';
import { deployment, ids } from './fixtures.ts';

// LiteLLM's documented example: Claude Code's traffic to its own deployment, everyone else to `default`.
const claudeCode = deployment('claude-code', { tagRegex: [/^User-Agent: claude-code\//] });
const regular = deployment('regular', { tags: ['default'] });
const paid = deployment('paid', { tags: ['paid'] });
const plain = deployment('plain');

describe('filterByTags: tag_regex', () => {
  it('routes a request whose User-Agent a pattern matches to that deployment, matched as "User-Agent: …"', () => {
    expect(ids(filterByTags([claudeCode, regular], undefined, 'claude-code/1.2.3'))).toEqual(['claude-code']);
    // The pattern sees the header line, not the bare value: anchoring at the value's start does not match.
    const bare = deployment('bare', { tagRegex: [/^claude-code/] });
    expect(ids(filterByTags([bare, regular], undefined, 'claude-code/1.2.3'))).toEqual(['regular']);
  });

  it('sends a User-Agent no pattern matches, or none, where an untagged request goes', () => {
    expect(ids(filterByTags([claudeCode, regular], undefined, 'OpenAI/JS 5.0.0'))).toEqual(['regular']);
    expect(ids(filterByTags([claudeCode, regular], undefined, undefined))).toEqual(['regular']);
    expect(ids(filterByTags([claudeCode, regular], [], ''))).toEqual(['regular']);
    // No `default` deployment: all of them, as for any untagged request (LiteLLM's documented rule 4).
    expect(ids(filterByTags([claudeCode, plain], undefined, 'curl/8.5.0'))).toEqual(['claude-code', 'plain']);
  });

  it('matches when any one pattern matches, searching anywhere unless the pattern anchors', () => {
    const cli = deployment('cli', { tagRegex: [/^User-Agent: codex\//, /aider/i] });
    expect(ids(filterByTags([cli, regular], undefined, 'python-requests Aider/0.50'))).toEqual(['cli']);
    expect(ids(filterByTags([cli, regular], undefined, 'codex/0.1'))).toEqual(['cli']);
  });

  it('keeps tag matches and pattern matches together, and routes on a pattern when the tags match nothing', () => {
    expect(ids(filterByTags([claudeCode, paid, regular], ['paid'], 'claude-code/2.0'))).toEqual([
      'claude-code',
      'paid',
    ]);
    expect(ids(filterByTags([claudeCode, paid], ['vip'], 'claude-code/2.0'))).toEqual(['claude-code']);
  });

  it('still refuses a tagged request that nothing matches when there is no default', () => {
    expect(() => filterByTags([claudeCode, paid], ['vip'], 'curl/8.5.0')).toThrow(SwitchyardError);
    expect(ids(filterByTags([claudeCode, paid, regular], ['vip'], 'curl/8.5.0'))).toEqual(['regular']);
  });

  it(`shows patterns only the first ${MAX_USER_AGENT_CHARS} characters of a User-Agent`, () => {
    const tail = deployment('tail', { tagRegex: [/marker/] });
    const within = `${'x'.repeat(MAX_USER_AGENT_CHARS - 'marker'.length)}marker`;
    expect(ids(filterByTags([tail, regular], undefined, within))).toEqual(['tail']);
    expect(ids(filterByTags([tail, regular], undefined, `x${within}`))).toEqual(['regular']);
  });
});
