// Whether a failure cools its deployment down, decided here and applied atomically by the Redis script.
import type { Deployment, RouterSettings } from '../config/types.ts';
import type { ErrorType } from '../errors/taxonomy.ts';

/** Mirrors redis-state's FailureEffect (core imports nothing of ours). */
export interface CooldownEffect {
  /** Cool down at once, for `cooldownMs`. */
  coolNow: boolean;
  /** Count towards allowed fails in the current minute; cool when the count exceeds `allowedFails`. */
  countFail: boolean;
  allowedFails: number;
  cooldownMs: number;
  /**
   * When set, the counted failure cools by rate instead of by `allowedFails`: failures are more than
   * `threshold` of the minute's requests and there were at least `minRequests` (LiteLLM's default rule).
   */
  failureRate?: { threshold: number; minRequests: number };
}

/** LiteLLM's failure-rate cooldown (router_utils/cooldown_handlers): > 50 % failed, ≥ 5 requests. */
export const FAILURE_RATE = { threshold: 0.5, minRequests: 5 } as const;

/** The deployment is unusable for everyone right now: LiteLLM cools on the first 429 / 401 / 404. */
const COOL_AT_ONCE: ReadonlySet<ErrorType> = new Set<ErrorType>([
  'RateLimitError',
  'AuthenticationError',
  'NotFoundError',
]);

/** Possibly transient: cool only when they repeat. APIConnectionError is ours (LiteLLM never cools on it). */
const COUNTED: ReadonlySet<ErrorType> = new Set<ErrorType>([
  'Timeout',
  'InternalServerError',
  'ServiceUnavailableError',
  'APIConnectionError',
]);

export function cooldownEffect(
  settings: Pick<
    RouterSettings,
    'disableCooldowns' | 'cooldownTimeSec' | 'allowedFails' | 'allowedFailsPolicy' | 'allowedFailsSet'
  >,
  deployment: Pick<Deployment, 'cooldownTimeSec' | 'allowedFails' | 'allowedFailsPolicy'>,
  error: { type: ErrorType; retryAfterMs?: number },
  groupSize: number,
): CooldownEffect | undefined {
  if (settings.disableCooldowns || deployment.cooldownTimeSec === 0) return undefined;
  const cooldownMs =
    deployment.cooldownTimeSec !== undefined
      ? deployment.cooldownTimeSec * 1000
      : (error.retryAfterMs ?? settings.cooldownTimeSec * 1000);
  const atOnce = COOL_AT_ONCE.has(error.type);
  const routerPolicy = settings.allowedFailsPolicy[error.type];
  if (deployment.allowedFails !== undefined || deployment.allowedFailsPolicy !== undefined) {
    return ownRule(deployment, error.type, groupSize, routerPolicy ?? settings.allowedFails, cooldownMs);
  }
  if (!atOnce && !COUNTED.has(error.type)) return undefined;
  // Cooling a group's only deployment would turn one 429 into an outage: it cools via the counter only.
  const coolNow = atOnce && groupSize >= 2;
  const effect: CooldownEffect = {
    coolNow,
    countFail: !coolNow,
    allowedFails: routerPolicy ?? settings.allowedFails,
    cooldownMs,
  };
  // A busy deployment with 1 % errors must not flap: unless a count was configured, cool by rate.
  if (!coolNow && routerPolicy === undefined && !settings.allowedFailsSet)
    effect.failureRate = { ...FAILURE_RATE };
  return effect;
}

/**
 * LiteLLM's deployment-level rule (model_info `allowed_fails` / `allowed_fails_policy`): it replaces the router's.
 * Failures count per minute against the deployment's entry for the error, else its `allowed_fails`, else the
 * router's count; no cooling at once, no failure rate. An entry naming a type also makes that type cool the
 * deployment (BadRequestError, …, which never do otherwise). A bare `allowed_fails` on a group's only
 * deployment keeps LiteLLM's safety net: no cooldown.
 */
function ownRule(
  deployment: Pick<Deployment, 'allowedFails' | 'allowedFailsPolicy'>,
  type: ErrorType,
  groupSize: number,
  routerAllowed: number,
  cooldownMs: number,
): CooldownEffect | undefined {
  const named = deployment.allowedFailsPolicy?.[type];
  if (named === undefined && !COOL_AT_ONCE.has(type) && !COUNTED.has(type)) return undefined;
  if (named === undefined && deployment.allowedFails !== undefined && groupSize < 2) return undefined;
  return {
    coolNow: false,
    countFail: true,
    allowedFails: named ?? deployment.allowedFails ?? routerAllowed,
    cooldownMs,
  };
}
