// Normalises LiteLLM's retry_policy / allowed_fails_policy in every form users copy from its docs.
import { z } from 'zod';
import { ERROR_TYPES, type ErrorType, isErrorType } from '../errors/taxonomy.ts';
import { type ConfigIssue, throwIfAny } from './config-error.ts';
import { fraction, nonNegativeInt, nonNegativeNumber, positiveNumber } from './fields.ts';
import { isMapping } from './is-mapping.ts';
import { childPath } from './path.ts';
import type { AllowedFailsPolicy, RetryPolicy, RetryRule } from './types.ts';
import { parseInto } from './validate.ts';

/**
 * LiteLLM exception names that are not taxonomy names. `BadGatewayError` (502) maps to
 * ServiceUnavailableError: both mean "the upstream is temporarily unreachable", and our taxonomy has no 502 type.
 */
const ALIASES: Readonly<Record<string, ErrorType>> = {
  TimeoutError: 'Timeout',
  APITimeoutError: 'Timeout',
  BadGatewayError: 'ServiceUnavailableError',
};

/** `RateLimitErrorRetries`, `RateLimitError`, `litellm.RateLimitError` → `RateLimitError`. */
function errorTypeOf(key: string, suffix: string): ErrorType | undefined {
  let name = key.startsWith('litellm.') ? key.slice('litellm.'.length) : key;
  if (name.endsWith(suffix) && name.length > suffix.length) name = name.slice(0, -suffix.length);
  return isErrorType(name) ? name : ALIASES[name];
}

function unknownKeyMessage(key: string, suffix: string): string {
  return (
    `unknown error type "${key}"; use <Type>${suffix} or <Type> with one of ${ERROR_TYPES.join(', ')}` +
    ` (TimeoutError = Timeout, BadGatewayError = ServiceUnavailableError)`
  );
}

/** The backoff form. YAML delays are seconds, like every other LiteLLM duration; RetryRule holds ms. */
const backoffSchema = z.strictObject({
  max_retries: nonNegativeInt(),
  base_delay: nonNegativeNumber().optional(),
  max_delay: nonNegativeNumber().optional(),
  backoff_factor: positiveNumber().optional(),
  jitter: fraction().optional(),
});

function toRule(value: unknown, path: string, issues: ConfigIssue[]): RetryRule | undefined {
  if (!isMapping(value)) {
    const count = parseInto(nonNegativeInt(), value, path, issues);
    return count === undefined ? undefined : { maxRetries: count };
  }
  const parsed = parseInto(backoffSchema, value, path, issues);
  if (parsed === undefined) return undefined;
  const rule: RetryRule = { maxRetries: parsed.max_retries };
  if (parsed.base_delay !== undefined) rule.baseDelayMs = parsed.base_delay * 1000;
  if (parsed.max_delay !== undefined) rule.maxDelayMs = parsed.max_delay * 1000;
  if (parsed.backoff_factor !== undefined) rule.backoffFactor = parsed.backoff_factor;
  if (parsed.jitter !== undefined) rule.jitter = parsed.jitter;
  return rule;
}

/** Shared walk: each key names an error type (with the policy's suffix or bare); null values mean "not set". */
function normalisePolicy<T>(
  input: unknown,
  path: string,
  suffix: string,
  issues: ConfigIssue[],
  toValue: (value: unknown, path: string) => T | undefined,
): Partial<Record<ErrorType, T>> {
  const policy: Partial<Record<ErrorType, T>> = {};
  if (input === undefined || input === null) return policy;
  if (!isMapping(input)) {
    issues.push({ path, message: 'expected a mapping of error types' });
    return policy;
  }
  const seen = new Map<ErrorType, string>();
  for (const [key, value] of Object.entries(input)) {
    const keyPath = childPath(path, key);
    if (value === null || value === undefined) continue;
    const type = errorTypeOf(key, suffix);
    if (type === undefined) {
      issues.push({ path: keyPath, message: unknownKeyMessage(key, suffix) });
      continue;
    }
    const earlier = seen.get(type);
    if (earlier !== undefined) {
      issues.push({ path: keyPath, message: `${type} is already set by ${earlier}` });
      continue;
    }
    seen.set(type, keyPath);
    const normalised = toValue(value, keyPath);
    if (normalised !== undefined) policy[type] = normalised;
  }
  return policy;
}

/**
 * `retry_policy` → RetryPolicy. Accepts `RateLimitErrorRetries: 3`, `RateLimitError: 3`,
 * `RateLimitError: {max_retries: 5}` and `{max_retries, base_delay, max_delay, backoff_factor, jitter}`.
 * Without an `issues` collector, problems throw a ConfigError.
 */
export function normaliseRetryPolicy(
  input: unknown,
  path = 'retry_policy',
  issues?: ConfigIssue[],
): RetryPolicy {
  const sink = issues ?? [];
  const policy = normalisePolicy(input, path, 'Retries', sink, (value, keyPath) =>
    toRule(value, keyPath, sink),
  );
  if (issues === undefined) throwIfAny(sink);
  return policy;
}

/** `allowed_fails_policy` → AllowedFailsPolicy. Accepts `RateLimitErrorAllowedFails: 100` and `RateLimitError: 100`. */
export function normaliseAllowedFailsPolicy(
  input: unknown,
  path = 'allowed_fails_policy',
  issues?: ConfigIssue[],
): AllowedFailsPolicy {
  const sink = issues ?? [];
  const policy = normalisePolicy(input, path, 'AllowedFails', sink, (value, keyPath) =>
    parseInto(nonNegativeInt(), value, keyPath, sink),
  );
  if (issues === undefined) throwIfAny(sink);
  return policy;
}
