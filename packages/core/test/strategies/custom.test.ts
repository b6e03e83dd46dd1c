import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customStrategy } from '../../src/strategies/custom/index.ts';
import { loadCustomStrategy } from '../../src/strategies/custom/load.ts';
import type { Candidate } from '../../src/strategies/types.ts';
import { candidate, context, deployment, ids } from './fixtures.ts';

const input = ['a', 'b', 'c', 'd'].map((id) => candidate(deployment(id)));

describe('customStrategy', () => {
  it('uses rank() and appends candidates it left out, ignoring repeats', () => {
    const s = customStrategy({ rank: (cs: readonly Candidate[]) => [cs[2], 'a', cs[2]] });
    expect(ids(s.rank(input, context()))).toEqual(['c', 'a', 'b', 'd']);
  });

  it('uses choose() returning a candidate, a deployment or an id; the rest keep their order', () => {
    for (const pick of [
      (cs: readonly Candidate[]) => cs[2],
      (cs: readonly Candidate[]) => cs[2]!.deployment,
      () => 'c',
    ]) {
      expect(ids(customStrategy({ choose: pick }).rank(input, context()))).toEqual(['c', 'a', 'b', 'd']);
    }
    expect(ids(customStrategy({ choose: () => undefined }).rank(input, context()))).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('accepts a default export: an object, or a function read by its result', () => {
    expect(ids(customStrategy({ default: { choose: () => 'd' } }).rank(input, context()))[0]).toBe('d');
    expect(ids(customStrategy({ default: () => ['b', 'a'] }).rank(input, context()))).toEqual([
      'b',
      'a',
      'c',
      'd',
    ]);
    expect(ids(customStrategy({ default: () => 'c' }).rank(input, context()))[0]).toBe('c');
  });

  it('passes the route context through (e.g. tags, args)', () => {
    const s = customStrategy({
      choose: (_cs: readonly Candidate[], ctx: { args: Record<string, unknown> }) => ctx.args.prefer,
    });
    expect(ids(s.rank(input, context({ args: { prefer: 'b' } })))[0]).toBe('b');
  });

  it('explains what is wrong with a module of the wrong shape', () => {
    expect(() => customStrategy({ pick: () => 'a' }, 'my.ts')).toThrow(
      /my\.ts: expected a module exporting rank\(candidates, ctx\) or choose\(candidates, ctx\).*keys \[pick\]/,
    );
    expect(() => customStrategy({ rank: () => 'a' }).rank(input, context())).toThrow(
      /rank\(\) must return an array/,
    );
    expect(() => customStrategy({ choose: () => 'zzz' }).rank(input, context())).toThrow(
      /not one of the candidates/,
    );
    expect(() => customStrategy({ choose: async () => 'a' }).rank(input, context())).toThrow(
      /must be synchronous/,
    );
  });
});

describe('loadCustomStrategy', () => {
  it('imports a module file and adapts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-custom-'));
    const file = join(dir, 'strategy.mjs');
    writeFileSync(
      file,
      "export const name = 'last-first';\nexport function choose(cs) { return cs.at(-1); }\n",
    );
    const s = await loadCustomStrategy(file);
    expect(s.name).toBe('last-first');
    expect(ids(s.rank(input, context()))).toEqual(['d', 'a', 'b', 'c']);
  });

  it('names the path when the import fails', async () => {
    await expect(loadCustomStrategy('/nonexistent/strategy.mjs')).rejects.toThrow(
      /custom_routing_strategy: cannot import \/nonexistent\/strategy\.mjs/,
    );
  });
});
