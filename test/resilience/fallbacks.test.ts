// Which fallback list a failure walks, in which order, and where the walk stops — two workers, one queue.
import type { FakeProvider } from '@switchyard/testkit';
import { describe, expect, it } from 'vitest';
import { chat, openaiDeployment } from '../integration/harness.ts';
import { failureOf, requestsTo, useStack } from './support.ts';

/** Groups whose single deployment is named `<group>-1`; `once` ones are never retried in-group. */
const RETRIED = [
  'cw-src',
  'cw-big',
  'cp-src',
  'cp-safe',
  'cp-only',
  'generic-dst',
  'gen-src',
  'gen-dst',
  'orphan',
];
const ONCE = ['dflt', 'cyc-a', 'cyc-b', 'mf-src', 'mf-1', 'mf-2', 'mf-3'];

const stack = useStack({
  config: (fake: FakeProvider) => ({
    model_list: [
      ...RETRIED.map((g) => openaiDeployment(fake, g, `${g}-1`)),
      ...ONCE.map((g) => openaiDeployment(fake, g, `${g}-1`, { num_retries: 0 })),
    ],
    router_settings: {
      num_retries: 1,
      // Fallback walks only: cooldowns have their own suite.
      allowed_fails: 1000,
      max_fallbacks: 2,
      fallbacks: [
        { 'cw-src': ['generic-dst'] },
        { 'cp-src': ['generic-dst'] },
        { 'cp-only': ['generic-dst'] },
        { 'gen-src': ['gen-dst'] },
        { 'cyc-a': ['cyc-b'] },
        { 'cyc-b': ['cyc-a'] },
        { 'mf-src': ['mf-1', 'mf-2', 'mf-3'] },
        // Empty lists keep default_fallbacks out of the max_fallbacks walk (a present key wins).
        { 'mf-1': [] },
        { 'mf-2': [] },
        { 'mf-3': [] },
      ],
      context_window_fallbacks: [{ 'cw-src': ['cw-big'] }],
      content_policy_fallbacks: [{ 'cp-src': ['cp-safe'] }],
      default_fallbacks: ['dflt'],
    },
  }),
});

const calls = (group: string) => requestsTo(stack().fake, `${group}-1`).length;
const failing500 = (...groups: string[]) =>
  groups.map((g) => ({ match: { model: `${g}-1` }, fault: { kind: 'error' as const, status: 500 } }));

describe('each error kind uses its own fallback list', () => {
  it('context-window error → context_window_fallbacks, not the generic list, without a retry', async () => {
    stack().fake.script([{ match: { model: 'cw-src-1' }, fault: { kind: 'context-window' } }]);
    const r = await stack().client.completion(chat('cw-src'));
    expect(r.routing.modelGroup).toBe('cw-big');
    expect(r.routing.attempts.map((a) => [a.modelGroup, a.error?.type])).toEqual([
      ['cw-src', 'ContextWindowExceededError'],
      ['cw-big', undefined],
    ]);
    expect([calls('cw-src'), calls('cw-big'), calls('generic-dst'), calls('dflt')]).toEqual([1, 1, 0, 0]);
  });

  it('content-policy error → content_policy_fallbacks, not the generic list', async () => {
    stack().fake.script([{ match: { model: 'cp-src-1' }, fault: { kind: 'content-policy' } }]);
    const r = await stack().client.completion(chat('cp-src'));
    expect(r.routing.modelGroup).toBe('cp-safe');
    expect(r.routing.attempts[0]?.error?.type).toBe('ContentPolicyViolationError');
    expect([calls('cp-src'), calls('cp-safe'), calls('generic-dst')]).toEqual([1, 1, 0]);
  });

  it('content-policy error without a content-policy list fails: generic and default lists are not used', async () => {
    stack().fake.script([{ match: { model: 'cp-only-1' }, fault: { kind: 'content-policy' } }]);
    const err = await failureOf(stack().client.completion(chat('cp-only')));
    expect(err.type).toBe('ContentPolicyViolationError');
    expect([calls('cp-only'), calls('generic-dst'), calls('dflt')]).toEqual([1, 0, 0]);
  });

  it('a 500 → retries in the group first, then the generic fallbacks; attempts list every try', async () => {
    stack().fake.script(failing500('gen-src'));
    const r = await stack().client.completion(chat('gen-src'));
    expect(r.routing.modelGroup).toBe('gen-dst');
    expect(r.routing.deploymentId).toBe('gen-dst-1');
    expect(
      r.routing.attempts.map((a) => [a.modelGroup, a.deploymentId, a.error?.type, a.error?.status]),
    ).toEqual([
      ['gen-src', 'gen-src-1', 'InternalServerError', 500],
      ['gen-src', 'gen-src-1', 'InternalServerError', 500],
      ['gen-dst', 'gen-dst-1', undefined, undefined],
    ]);
    for (const a of r.routing.attempts) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
    // The fallback group is entered only after the source group's retries are spent.
    const lastSource = requestsTo(stack().fake, 'gen-src-1').at(-1)!.time;
    expect(requestsTo(stack().fake, 'gen-dst-1')[0]!.time).toBeGreaterThanOrEqual(lastSource);
  });

  it('a group without a fallbacks entry uses default_fallbacks', async () => {
    stack().fake.script(failing500('orphan'));
    const r = await stack().client.completion(chat('orphan'));
    expect(r.routing.modelGroup).toBe('dflt');
    expect([calls('orphan'), calls('dflt')]).toEqual([2, 1]);
  });
});

describe('bounded walks', () => {
  it('{a:[b]}, {b:[a]} plus default_fallbacks: the job ends and each group is tried once', async () => {
    stack().fake.script(failing500('cyc-a', 'cyc-b', 'dflt'));
    const err = await failureOf(stack().client.completion(chat('cyc-a')));
    expect(err.type).toBe('InternalServerError');
    expect(err.message).toContain('[fallbacks tried: cyc-b (InternalServerError)]');
    // A group with its own entry never reaches default_fallbacks.
    expect([calls('cyc-a'), calls('cyc-b'), calls('dflt')]).toEqual([1, 1, 0]);
  });

  it('the default fallback group does not fall back to itself', async () => {
    stack().fake.script(failing500('orphan', 'dflt'));
    const err = await failureOf(stack().client.completion(chat('orphan')));
    expect(err.message).toContain('[fallbacks tried: dflt (InternalServerError)]');
    expect([calls('orphan'), calls('dflt')]).toEqual([2, 1]);
  });

  it('max_fallbacks 2 stops a three-entry list after two groups', async () => {
    stack().fake.script(failing500('mf-src', 'mf-1', 'mf-2', 'mf-3'));
    const err = await failureOf(stack().client.completion(chat('mf-src')));
    expect(err.type).toBe('InternalServerError');
    expect(err.message).toContain(
      '[fallbacks tried: mf-1 (InternalServerError), mf-2 (InternalServerError)]',
    );
    expect([calls('mf-src'), calls('mf-1'), calls('mf-2'), calls('mf-3')]).toEqual([1, 1, 1, 0]);
  });
});
