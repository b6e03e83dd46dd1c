// Field schemas shared by the config sections. Numbers and booleans also accept their string forms,
// because `os.environ/NAME` references resolve to strings (LiteLLM casts them the same way).
import { z } from 'zod';

/** Messages read `Required` for a missing field and `expected …` for a wrong one, whatever zod would say. */
export function expected(what: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined ? 'Required' : `expected ${what}`;
}

const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;

function numberLike(value: unknown): unknown {
  return typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
}

function booleanLike(value: unknown): unknown {
  if (value === 'true' || value === 'True') return true;
  if (value === 'false' || value === 'False') return false;
  return value;
}

export function nonNegativeInt() {
  const error = expected('a non-negative integer');
  return z.preprocess(numberLike, z.number({ error }).int({ error }).min(0, { error }));
}

export function positiveInt() {
  const error = expected('a positive integer');
  return z.preprocess(numberLike, z.number({ error }).int({ error }).min(1, { error }));
}

export function nonNegativeNumber() {
  const error = expected('a non-negative number');
  return z.preprocess(numberLike, z.number({ error }).min(0, { error }));
}

export function positiveNumber() {
  const error = expected('a positive number');
  return z.preprocess(numberLike, z.number({ error }).positive({ error }));
}

export function fraction() {
  const error = expected('a number between 0 and 1');
  return z.preprocess(numberLike, z.number({ error }).min(0, { error }).max(1, { error }));
}

export function boolean() {
  return z.preprocess(booleanLike, z.boolean({ error: expected('true or false') }));
}

export function text() {
  const error = expected('a non-empty string');
  return z.string({ error }).min(1, { error });
}

export function textList() {
  return z.array(text(), { error: expected('a list of strings') });
}

export function mapping() {
  return z.record(z.string(), z.unknown(), { error: expected('a mapping') });
}

/** `model_info.id` may be written as a number; LiteLLM turns it into a string. */
export function identifier() {
  return z
    .union([text(), z.number().int()], { error: expected('a string or an integer') })
    .transform((value) => String(value));
}

const DURATION_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  // LiteLLM's `1mo`: taken as 30 days (a fixed length, so every worker computes the same reset).
  mo: 2_592_000_000,
};

/** LiteLLM's budget durations (`30s`, `10m`, `1h`, `1d`, `2w`, `1mo`) → milliseconds; undefined when not one. */
export function durationMs(text: string): number | undefined {
  const match = /^\s*(\d+)\s*(s|m|h|d|w|mo)\s*$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * DURATION_MS[match[2]!]!;
  return ms > 0 ? ms : undefined;
}

/** A budget period such as `1d`, kept as written and as milliseconds. */
export function duration() {
  return z.string({ error: expected('a duration such as 30m, 1h, 1d, 1mo') }).transform((text, ctx) => {
    const ms = durationMs(text);
    if (ms === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: text,
        message: 'expected a duration such as 30m, 1h, 1d, 1mo',
      });
      return z.NEVER;
    }
    return { text: text.trim(), ms };
  });
}
