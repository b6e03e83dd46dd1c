import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors/taxonomy.ts';
import { customStrategy } from '../../src/strategies/custom/index.ts';
import { leastBusy } from '../../src/strategies/least-busy/index.ts';
import { orderCandidates } from '../../src/strategies/pipeline.ts';
import { createStrategy } from '../../src/strategies/registry.ts';
import type { DeploymentState } from '../../src/strategies/types.ts';
import { context, deployment, ids, NOW, state } from './fixtures.ts';

const noStates = new Map<string, DeploymentState>();
// Keeps the given order so these tests see only the pipeline's own steps.
const identity = customStrategy({ rank: (cs: readonly unknown[]) => cs });

describe('orderCandidates: tags', () => {
  const paid = deployment('paid', { tags: ['paid'] });
  const free = deployment('free', { tags: ['free', 'batch'] });
  const fallback = deployment('fallback', { tags: ['default'] });
  const plain = deployment('plain');

  it('keeps deployments sharing at least one tag with the request', () => {
    const out = orderCandidates(
      [paid, free, fallback, plain],
      noStates,
      identity,
      context({ tags: ['batch', 'x'] }),
    );
    expect(ids(out)).toEqual(['free']);
  });

  it('falls back to `default`-tagged deployments when no tag matches', () => {
    const out = orderCandidates([paid, free, fallback], noStates, identity, context({ tags: ['vip'] }));
    expect(ids(out)).toEqual(['fallback']);
  });

  it('fails with BadRequestError naming the tags when nothing matches and there is no default', () => {
    let error: unknown;
    try {
      orderCandidates([paid, free], noStates, identity, context({ tags: ['vip'] }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).toReason()).toMatch(/^BadRequestError: .*tags=\["vip"\]/);
  });

  it('sends untagged requests to `default` deployments when there are any, else to all', () => {
    expect(ids(orderCandidates([paid, fallback, plain], noStates, identity, context()))).toEqual([
      'fallback',
    ]);
    expect(ids(orderCandidates([paid, plain], noStates, identity, context({ tags: [] })))).toEqual([
      'paid',
      'plain',
    ]);
  });
});

describe('orderCandidates: order tiers and cooldowns', () => {
  it('puts lower `order` tiers first and deployments without order after every tier', () => {
    const ds = [
      deployment('none'),
      deployment('tier2', { order: 2 }),
      deployment('tier1a', { order: 1 }),
      deployment('tier1b', { order: 1 }),
    ];
    const states = new Map([
      ['tier1a', state('tier1a', { inflight: 5 })],
      ['tier1b', state('tier1b', { inflight: 0 })],
      ['none', state('none', { inflight: 0 })],
    ]);
    // least-busy ranks inside each tier; the idle unordered deployment still waits for the tiers.
    expect(ids(orderCandidates(ds, states, leastBusy, context()))).toEqual([
      'tier1b',
      'tier1a',
      'tier2',
      'none',
    ]);
  });

  it('moves deployments cooling down to the end, keeping the rest in strategy order', () => {
    const ds = ['a', 'b', 'c'].map((id) => deployment(id));
    const states = new Map([
      ['a', state('a', { cooldownUntilMs: NOW + 5000 })],
      ['b', state('b', { cooldownUntilMs: NOW - 1 })], // cooldown already over
    ]);
    expect(ids(orderCandidates(ds, states, identity, context()))).toEqual(['b', 'c', 'a']);
  });

  it('reaches a higher tier before a cooled-down lower-tier deployment', () => {
    const ds = [deployment('primary', { order: 1 }), deployment('backup', { order: 2 })];
    const states = new Map([['primary', state('primary', { cooldownUntilMs: NOW + 1 })]]);
    expect(ids(orderCandidates(ds, states, identity, context()))).toEqual(['backup', 'primary']);
  });

  it('passes snapshot state to the strategy and returns every deployment', () => {
    const ds = Array.from({ length: 50 }, (_, i) => deployment(`d${i}`, { order: i % 3 }));
    const states = new Map(ds.map((d, i) => [d.id, state(d.id, { tpmUsed: 50 - i })]));
    const out = orderCandidates(ds, states, createStrategy('usage-based-routing'), context());
    expect(new Set(out)).toEqual(new Set(ds));
    expect(ids(out)[0]).toBe('d48'); // tier 0's least used
  });
});
