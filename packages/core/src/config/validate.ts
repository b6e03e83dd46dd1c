// Runs a zod schema and turns its issues into path-named config issues instead of throwing.
import type { z } from 'zod';
import type { ConfigIssue } from './config-error.ts';
import { formatPath } from './path.ts';

export function parseInto<T extends z.ZodType>(
  schema: T,
  value: unknown,
  path: string,
  issues: ConfigIssue[],
): z.output<T> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        issues.push({ path: formatPath(path, [...issue.path, key]), message: 'unknown key' });
    } else {
      issues.push({ path: formatPath(path, issue.path), message: issue.message });
    }
  }
  return undefined;
}
