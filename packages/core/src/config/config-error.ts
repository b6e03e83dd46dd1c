// One error for every configuration problem, so the CLI can print them all at once with their paths.

/** One problem found while loading, at a LiteLLM-style path such as `model_list[2].litellm_params.model`. */
export interface ConfigIssue {
  path: string;
  message: string;
}

import { ERROR_CODES } from '../errors/codes.ts';

export class ConfigError extends Error {
  readonly code = ERROR_CODES.config;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const firstPerPath = firstIssuePerPath(issues);
    super(formatIssues(firstPerPath));
    this.name = 'ConfigError';
    this.issues = firstPerPath;
  }
}

/** The first problem at a path is the cause (an unset variable), later ones its echo (then not a number). */
function firstIssuePerPath(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    if (issue.path !== '' && seen.has(issue.path)) return false;
    seen.add(issue.path);
    return true;
  });
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  return lines.length === 1 ? `invalid config: ${lines[0]}` : `invalid config:\n  ${lines.join('\n  ')}`;
}

/** Throw when a collector gathered anything; lets pure normalisers report every problem, not just the first. */
export function throwIfAny(issues: readonly ConfigIssue[]): void {
  if (issues.length > 0) throw new ConfigError(issues);
}
