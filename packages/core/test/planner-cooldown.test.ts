import { describe, expect, it } from 'vitest';
import type { ErrorType } from '../src/errors/taxonomy.ts';
import { cooldownEffect } from '../src/planner/cooldown.ts';

/** LiteLLM's defaults: allowed_fails 3, cooldown_time 5 s. */
const settings = { disableCooldowns: false, cooldownTimeSec: 5, allowedFails: 3, allowedFailsPolicy: {} };

describe('cooldownEffect', () => {
  it.each<ErrorType>(['RateLimitError', 'AuthenticationError', 'NotFoundError'])(
    '%s cools a deployment at once in a group of two or more',
    (type) => {
      expect(cooldownEffect(settings, {}, { type }, 2)).toEqual({
        coolNow: true,
        countFail: false,
        allowedFails: 3,
        cooldownMs: 5000,
      });
    },
  );

  it("a group's only deployment is never cooled at once, only through the failure count or rate", () => {
    expect(cooldownEffect(settings, {}, { type: 'RateLimitError' }, 1)).toEqual({
      coolNow: false,
      countFail: true,
      allowedFails: 3,
      cooldownMs: 5000,
      failureRate: { threshold: 0.5, minRequests: 5 },
    });
    expect(cooldownEffect({ ...settings, allowedFailsSet: true }, {}, { type: 'RateLimitError' }, 1)).toEqual(
      {
        coolNow: false,
        countFail: true,
        allowedFails: 3,
        cooldownMs: 5000,
      },
    );
  });

  it('cools transient failures by LiteLLM’s failure rate unless allowed_fails or a policy entry is configured', () => {
    expect(cooldownEffect(settings, {}, { type: 'Timeout' }, 2)?.failureRate).toEqual({
      threshold: 0.5,
      minRequests: 5,
    });
    expect(
      cooldownEffect({ ...settings, allowedFailsSet: true }, {}, { type: 'Timeout' }, 2)?.failureRate,
    ).toBe(undefined);
    const policy = { ...settings, allowedFailsPolicy: { Timeout: 2 } };
    expect(cooldownEffect(policy, {}, { type: 'Timeout' }, 2)?.failureRate).toBeUndefined();
    expect(cooldownEffect(policy, {}, { type: 'InternalServerError' }, 2)?.failureRate).toBeDefined();
  });

  it.each<ErrorType>(['Timeout', 'InternalServerError', 'ServiceUnavailableError', 'APIConnectionError'])(
    '%s counts towards allowed_fails',
    (type) => {
      expect(cooldownEffect(settings, {}, { type }, 3)).toMatchObject({ coolNow: false, countFail: true });
    },
  );

  it('allowed_fails_policy overrides allowed_fails for its error type', () => {
    const s = { ...settings, allowedFailsPolicy: { Timeout: 1 } };
    expect(cooldownEffect(s, {}, { type: 'Timeout' }, 2)?.allowedFails).toBe(1);
    expect(cooldownEffect(s, {}, { type: 'InternalServerError' }, 2)?.allowedFails).toBe(3);
  });

  it.each<ErrorType>([
    'BadRequestError',
    'ContextWindowExceededError',
    'ContentPolicyViolationError',
    'PermissionDeniedError',
    'UnprocessableEntityError',
    'BudgetExceededError',
  ])('%s never cools (the request is at fault, not the deployment)', (type) => {
    expect(cooldownEffect({ ...settings, allowedFails: 0 }, {}, { type }, 2)).toBeUndefined();
  });

  it('disable_cooldowns and a deployment cooldown_time of 0 turn cooldowns off', () => {
    expect(
      cooldownEffect({ ...settings, disableCooldowns: true }, {}, { type: 'RateLimitError' }, 2),
    ).toBeUndefined();
    expect(cooldownEffect(settings, { cooldownTimeSec: 0 }, { type: 'RateLimitError' }, 2)).toBeUndefined();
  });

  it("duration: the deployment's cooldown_time, else the provider's retry-after, else the router's", () => {
    const e = { type: 'RateLimitError' as const, retryAfterMs: 20_000 };
    expect(cooldownEffect(settings, { cooldownTimeSec: 7 }, e, 2)?.cooldownMs).toBe(7000);
    expect(cooldownEffect(settings, {}, e, 2)?.cooldownMs).toBe(20_000);
    expect(
      cooldownEffect({ ...settings, cooldownTimeSec: 300 }, {}, { type: 'RateLimitError' }, 2)?.cooldownMs,
    ).toBe(300_000);
  });

  describe("a deployment's own allowed_fails / allowed_fails_policy (model_info) replace the router's rule", () => {
    const counted = (allowedFails: number) => ({
      coolNow: false,
      countFail: true,
      allowedFails,
      cooldownMs: 5000,
    });

    it('counts every cooling error against its own number: a 429 no longer cools at once, no failure rate', () => {
      expect(cooldownEffect(settings, { allowedFails: 0 }, { type: 'RateLimitError' }, 2)).toEqual(
        counted(0),
      );
      expect(cooldownEffect(settings, { allowedFails: 7 }, { type: 'Timeout' }, 2)).toEqual(counted(7));
    });

    it("the policy's entry for the error wins, then its allowed_fails, then the router's count", () => {
      const own = { allowedFails: 4, allowedFailsPolicy: { Timeout: 1 } };
      expect(cooldownEffect(settings, own, { type: 'Timeout' }, 2)?.allowedFails).toBe(1);
      expect(cooldownEffect(settings, own, { type: 'InternalServerError' }, 2)?.allowedFails).toBe(4);
      const policyOnly = { allowedFailsPolicy: { Timeout: 1 } };
      const router = { ...settings, allowedFailsPolicy: { InternalServerError: 9 } };
      expect(cooldownEffect(router, policyOnly, { type: 'InternalServerError' }, 2)?.allowedFails).toBe(9);
      expect(cooldownEffect(settings, policyOnly, { type: 'RateLimitError' }, 2)?.allowedFails).toBe(3);
    });

    it('an entry naming a request error makes it cool the deployment; without one it never does', () => {
      const own = { allowedFailsPolicy: { BadRequestError: 2 } };
      expect(cooldownEffect(settings, own, { type: 'BadRequestError' }, 2)).toEqual(counted(2));
      expect(cooldownEffect(settings, own, { type: 'ContentPolicyViolationError' }, 2)).toBeUndefined();
      expect(cooldownEffect(settings, { allowedFails: 0 }, { type: 'BadRequestError' }, 2)).toBeUndefined();
    });

    it("a bare allowed_fails never cools a group's only deployment; a named entry does", () => {
      expect(cooldownEffect(settings, { allowedFails: 0 }, { type: 'RateLimitError' }, 1)).toBeUndefined();
      const own = { allowedFailsPolicy: { RateLimitError: 0 } };
      expect(cooldownEffect(settings, own, { type: 'RateLimitError' }, 1)).toEqual(counted(0));
    });

    it('disable_cooldowns and cooldown_time 0 still turn it off; its cooldown_time sets the duration', () => {
      const own = { allowedFails: 0 };
      const e = { type: 'Timeout' as const };
      expect(cooldownEffect({ ...settings, disableCooldowns: true }, own, e, 2)).toBeUndefined();
      expect(cooldownEffect(settings, { ...own, cooldownTimeSec: 0 }, e, 2)).toBeUndefined();
      expect(cooldownEffect(settings, { ...own, cooldownTimeSec: 9 }, e, 2)?.cooldownMs).toBe(9000);
    });
  });
});
