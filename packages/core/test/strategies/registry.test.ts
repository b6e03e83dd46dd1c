import { describe, expect, it } from 'vitest';
import { ROUTING_STRATEGIES } from '../../src/config/schema.ts';
import type { RoutingStrategyName } from '../../src/config/types.ts';
import { customStrategy } from '../../src/strategies/custom/index.ts';
import { createStrategy } from '../../src/strategies/registry.ts';

describe('createStrategy', () => {
  it('maps every LiteLLM routing_strategy name to a strategy of that name', () => {
    // Every name the config accepts must have a strategy behind it.
    for (const name of ROUTING_STRATEGIES) expect(createStrategy(name).name).toBe(name);
  });

  it('lets a custom strategy override the configured name', () => {
    const custom = customStrategy({ name: 'mine', choose: () => undefined });
    expect(createStrategy('simple-shuffle', custom)).toBe(custom);
  });

  it('rejects an unknown name listing the valid ones', () => {
    expect(() => createStrategy('fastest' as RoutingStrategyName)).toThrow(
      /unknown strategy "fastest".*simple-shuffle/,
    );
  });
});
