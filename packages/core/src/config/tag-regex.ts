// `litellm_params.tag_regex`: LiteLLM's (Python `re`) patterns compiled once at load. A pattern that is not a
// valid JavaScript regex, or whose shape can backtrack for exponential time on a caller's header, is a
// ConfigError naming it: LiteLLM only logs and skips a bad one, which silently routes everything elsewhere.
import type { ConfigIssue } from './config-error.ts';
import { childPath } from './path.ts';

/**
 * Python's leading global flags that mean the same in JavaScript (`(?i)claude-code` is how a LiteLLM config
 * asks for case-insensitive matching; JavaScript has no such prefix, only the RegExp flags).
 */
const PYTHON_FLAGS: Readonly<Record<string, string>> = { i: 'i', m: 'm', s: 's' };
const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/;

/** `patterns` compiled, or undefined (none given, or issues pushed at `path[i]`). */
export function compileTagRegexes(
  patterns: readonly string[] | undefined,
  path: string,
  issues: ConfigIssue[],
): RegExp[] | undefined {
  if (patterns === undefined || patterns.length === 0) return undefined;
  const compiled: RegExp[] = [];
  patterns.forEach((pattern, index) => {
    const result = compileTagRegex(pattern);
    if (typeof result === 'string') issues.push({ path: childPath(path, index), message: result });
    else compiled.push(result);
  });
  return compiled.length === patterns.length ? compiled : undefined;
}

/** The RegExp, or why the pattern is refused. */
export function compileTagRegex(pattern: string): RegExp | string {
  let source = pattern;
  let flags = '';
  const lead = LEADING_FLAGS.exec(pattern);
  if (lead) {
    for (const flag of lead[1]!) {
      const js = PYTHON_FLAGS[flag];
      if (js === undefined) return `flag "${flag}" of "${lead[0]}" has no JavaScript equivalent (i, m, s do)`;
      if (!flags.includes(js)) flags += js;
    }
    source = pattern.slice(lead[0].length);
  }
  let regex: RegExp;
  try {
    // No `u` flag: Python accepts escapes such as `\-` outside a class, which only non-unicode mode allows.
    regex = new RegExp(source, flags);
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message}`;
  }
  if (hasNestedRepeat(source)) {
    return (
      'a repeated group contains a repeat (like "(a+)+"): matching a User-Agent that almost matches ' +
      'takes exponential time and would stall the worker; write it without the nesting'
    );
  }
  return regex;
}

/**
 * Star height above one: a repeated group (`*`, `+`, `{n,}`, `{n,m>1}`) with a repeat inside it, the shape
 * behind catastrophic backtracking. Over-cautious on purpose (`(\d+\.)+` is refused though it is safe);
 * overlapping alternatives such as `(a|a)*` are not detected. Runs on a pattern that already compiled, so
 * brackets and escapes are well formed.
 */
export function hasNestedRepeat(source: string): boolean {
  // One entry per open group: whether it contains a repeat so far.
  const open: boolean[] = [false];
  // Whether the atom just before `i` is a group containing a repeat.
  let groupWithRepeat = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      groupWithRepeat = false;
    } else if (c === '[') {
      i = classEnd(source, i);
      groupWithRepeat = false;
    } else if (c === '(') {
      open.push(false);
      groupWithRepeat = false;
    } else if (c === ')') {
      groupWithRepeat = open.pop() ?? false;
      if (groupWithRepeat) open[open.length - 1] = true;
    } else {
      const length = repeatLength(source, i);
      if (length > 0) {
        if (groupWithRepeat) return true;
        open[open.length - 1] = true;
        i += length - 1;
      }
      groupWithRepeat = false;
    }
  }
  return false;
}

/** Length of the quantifier at `i` when it can repeat more than once, else 0 (`?`, `{0,1}`, a literal `{`). */
function repeatLength(source: string, i: number): number {
  const c = source[i];
  if (c === '*' || c === '+') return 1;
  if (c !== '{') return 0;
  const brace = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
  if (!brace) return 0;
  const max = brace[2] === undefined ? Number(brace[1]) : brace[3] === '' ? Infinity : Number(brace[3]);
  return max > 1 ? brace[0].length : 0;
}

/** Index of the `]` closing the class opened at `start`. */
function classEnd(source: string, start: number): number {
  // A `]` right after `[` or `[^` is a literal in Python; JavaScript reads `[]` as an empty class. Either
  // way the class ends at the next unescaped `]` after it.
  let i = start + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  for (; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']') return i;
  }
  return source.length;
}
