// Normalises LiteLLM's retry_policy / allowed_fails_policy in every form users copy from its docs.
import { z } from 'zod';
import { ERROR_TYPES, type ErrorType, isErrorType } from '../errors/taxonomy.ts';
import { type ConfigIssue, throwIfAny } from './config-error.ts';
import { boolean, fraction, nonNegativeInt, nonNegativeNumber, positiveNumber } from './fields.ts';
import { isMapping } from './is-mapping.ts';
import { childPath } from './path.ts';
import type { AllowedFailsPolicy, RetryPolicy, RetryRule, RouterWideRule } from './types.ts';
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

/**
 * The backoff form. YAML delays are seconds, like every other LiteLLM duration; RetryRule holds ms.
 * `jitter` is the share of each wait drawn at random; `true` means the default share, `false` none.
 */
const backoffFields = {
  base_delay: nonNegativeNumber().optional(),
  max_delay: nonNegativeNumber().optional(),
  backoff_factor: positiveNumber().optional(),
  jitter: z
    .union([boolean(), fraction()], { error: 'expected true, false or a number between 0 and 1' })
    .optional(),
};
const backoffSchema = z.strictObject({ max_retries: nonNegativeInt(), ...backoffFields });

/** Keys of the router-wide form `retry_policy: {max_retries, base_delay, max_delay, backoff_factor, jitter}`. */
const ROUTER_WIDE_KEYS: ReadonlySet<string> = new Set(['max_retries', ...Object.keys(backoffFields)]);
const routerWideSchema = z.strictObject({ max_retries: nonNegativeInt().optional(), ...backoffFields });

function toRule(value: unknown, path: string, issues: ConfigIssue[]): RetryRule | undefined {
  if (!isMapping(value)) {
    const count = parseInto(nonNegativeInt(), value, path, issues);
    return count === undefined ? undefined : { maxRetries: count };
  }
  const parsed = parseInto(backoffSchema, value, path, issues);
  return parsed === undefined ? undefined : { ...backoffRule(parsed), maxRetries: parsed.max_retries };
}

type Backoff = z.output<z.ZodObject<typeof backoffFields>>;

/** The backoff part of a rule, in ms. */
function backoffRule(parsed: Backoff): Omit<RetryRule, 'maxRetries'> {
  const rule: Omit<RetryRule, 'maxRetries'> = {};
  if (parsed.base_delay !== undefined) rule.baseDelayMs = parsed.base_delay * 1000;
  if (parsed.max_delay !== undefined) rule.maxDelayMs = parsed.max_delay * 1000;
  if (parsed.backoff_factor !== undefined) rule.backoffFactor = parsed.backoff_factor;
  if (parsed.jitter === false) rule.jitter = 0;
  else if (typeof parsed.jitter === 'number') rule.jitter = parsed.jitter;
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
 * `RateLimitError: {max_retries: 5}` and `{max_retries, base_delay, max_delay, backoff_factor, jitter}`
 * per type, and the router-wide form with those keys at the top (→ `default`), alone or beside types.
 * Without an `issues` collector, problems throw a ConfigError.
 */
export function normaliseRetryPolicy(
  input: unknown,
  path = 'retry_policy',
  issues?: ConfigIssue[],
): RetryPolicy {
  const sink = issues ?? [];
  const { routerWide, byType } = splitRouterWide(input);
  const policy: RetryPolicy = normalisePolicy(byType, path, 'Retries', sink, (value, keyPath) =>
    toRule(value, keyPath, sink),
  );
  if (routerWide !== undefined) {
    const parsed = parseInto(routerWideSchema, routerWide, path, sink);
    if (parsed !== undefined) {
      const rule: RouterWideRule = backoffRule(parsed);
      if (parsed.max_retries !== undefined) rule.maxRetries = parsed.max_retries;
      policy.default = rule;
    }
  }
  if (issues === undefined) throwIfAny(sink);
  return policy;
}

function splitRouterWide(input: unknown): { routerWide?: Record<string, unknown>; byType: unknown } {
  if (!isMapping(input)) return { byType: input };
  const entries = Object.entries(input).filter(([, value]) => value !== null && value !== undefined);
  const wide = entries.filter(([key]) => ROUTER_WIDE_KEYS.has(key));
  if (wide.length === 0) return { byType: input };
  return {
    routerWide: Object.fromEntries(wide),
    byType: Object.fromEntries(entries.filter(([key]) => !ROUTER_WIDE_KEYS.has(key))),
  };
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
