// Which retry rule applies to a failure: LiteLLM's precedence, plus defaults that never retry a refusal blindly.
import type { Deployment, RetryRule, RouterSettings } from '../config/types.ts';
import type { ErrorType } from '../errors/taxonomy.ts';

/**
 * Errors a deployment gives again for the same request: retrying them only makes sense on another
 * deployment, and only when a retry policy asks for it (then the refusing deployment is excluded).
 */
const DETERMINISTIC: ReadonlySet<ErrorType> = new Set<ErrorType>([
  'AuthenticationError',
  'BadRequestError',
  'NotFoundError',
  'PermissionDeniedError',
  'UnprocessableEntityError',
  'BudgetExceededError',
  'ContextWindowExceededError',
  'ContentPolicyViolationError',
]);

export function isDeterministicError(type: ErrorType): boolean {
  return DETERMINISTIC.has(type);
}

export interface ResolvedRetryRule extends RetryRule {
  /** Retry on other deployments only: the failed one joins the job's exclusion list. */
  excludeFailed: boolean;
}

export function resolveRetryRule(
  settings: RouterSettings,
  group: string,
  type: ErrorType,
  deployment: Pick<Deployment, 'numRetries'>,
): ResolvedRetryRule {
  // A group's policy replaces the router-wide one entirely, as in LiteLLM.
  const policy = Object.hasOwn(settings.modelGroupRetryPolicy, group)
    ? settings.modelGroupRetryPolicy[group]
    : settings.retryPolicy;
  const rule = policy?.[type];
  // The router-wide form `{max_retries, base_delay, …}`: its backoff under every rule, its count for the rest.
  const { maxRetries: wideRetries, ...wideBackoff } = policy?.default ?? {};
  const deterministic = DETERMINISTIC.has(type);
  if (rule) return { ...wideBackoff, ...rule, excludeFailed: deterministic };
  if (deterministic) return { maxRetries: 0, excludeFailed: true };
  return {
    ...wideBackoff,
    maxRetries: deployment.numRetries ?? wideRetries ?? settings.numRetries,
    excludeFailed: false,
  };
}
