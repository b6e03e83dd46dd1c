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
  deployment: Pick<Deployment, 'cooldownTimeSec'>,
  error: { type: ErrorType; retryAfterMs?: number },
  groupSize: number,
): CooldownEffect | undefined {
  if (settings.disableCooldowns || deployment.cooldownTimeSec === 0) return undefined;
  const atOnce = COOL_AT_ONCE.has(error.type);
  if (!atOnce && !COUNTED.has(error.type)) return undefined;
  const cooldownMs =
    deployment.cooldownTimeSec !== undefined
      ? deployment.cooldownTimeSec * 1000
      : (error.retryAfterMs ?? settings.cooldownTimeSec * 1000);
  // Cooling a group's only deployment would turn one 429 into an outage: it cools via the counter only.
  const coolNow = atOnce && groupSize >= 2;
  const policy = settings.allowedFailsPolicy[error.type];
  const effect: CooldownEffect = {
    coolNow,
    countFail: !coolNow,
    allowedFails: policy ?? settings.allowedFails,
    cooldownMs,
  };
  // A busy deployment with 1 % errors must not flap: unless a count was configured, cool by rate.
  if (!coolNow && policy === undefined && !settings.allowedFailsSet) effect.failureRate = { ...FAILURE_RATE };
  return effect;
}
