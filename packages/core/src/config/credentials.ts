// LiteLLM's reusable credentials: top-level `credential_list`, named from a deployment by
// `litellm_params.litellm_credential_name`. The named values fill only the params the deployment leaves unset.
import { z } from 'zod';
import type { ConfigIssue } from './config-error.ts';
import { expected, mapping, text } from './fields.ts';
import { isMapping } from './is-mapping.ts';
import { childPath } from './path.ts';
import { collectUnsupportedKeys } from './unsupported-keys.ts';
import { parseInto } from './validate.ts';

/** Credential name → its values as written (`os.environ/` references resolve with the deployment's). */
export type CredentialBook = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

export const CREDENTIAL_PARAM = 'litellm_credential_name';
const UNKNOWN_BASE = 'https://credential.invalid';

const credentialSchema = z.object(
  {
    credential_name: text(),
    credential_values: mapping(),
    // Descriptive only (LiteLLM shows it in its UI); accepted, never read.
    credential_info: mapping().optional(),
  },
  { error: expected('{credential_name, credential_values, credential_info}') },
);
const credentialListSchema = z.array(z.unknown(), { error: expected('a list of credentials') });

/** Parses `credential_list`; a duplicate name is an issue (which one wins would be a guess). */
export function credentialBook(raw: unknown, issues: ConfigIssue[], warnings: string[]): CredentialBook {
  const book = new Map<string, Record<string, unknown>>();
  const list =
    raw === undefined ? [] : (parseInto(credentialListSchema, raw, 'credential_list', issues) ?? []);
  list.forEach((item, index) => {
    const path = childPath('credential_list', index);
    collectUnsupportedKeys(credentialSchema, item, path, warnings);
    const parsed = parseInto(credentialSchema, item, path, issues);
    if (parsed === undefined) return;
    if (book.has(parsed.credential_name)) {
      issues.push({
        path: childPath(path, 'credential_name'),
        message: `duplicate credential name ${parsed.credential_name}`,
      });
      return;
    }
    book.set(parsed.credential_name, parsed.credential_values);
  });
  return book;
}

/**
 * `params` with the named credential's values under them. `book` undefined means "credentials are not known
 * here" (validating a runtime entry, describing one): a missing api_base reads as a placeholder URL, so an entry
 * whose credential carries it still validates; the worker that builds it checks the name for real.
 */
export function withCredential(
  params: unknown,
  path: string,
  book: CredentialBook | undefined,
  issues: ConfigIssue[],
): unknown {
  if (!isMapping(params) || params[CREDENTIAL_PARAM] === undefined) return params;
  const name = params[CREDENTIAL_PARAM];
  const namePath = childPath(path, CREDENTIAL_PARAM);
  if (typeof name !== 'string' || name === '') {
    issues.push({ path: namePath, message: 'expected a non-empty string' });
    return params;
  }
  if (book === undefined) return { api_base: UNKNOWN_BASE, ...params };
  const values = book.get(name);
  if (values === undefined) {
    issues.push({ path: namePath, message: `no credential named "${name}" in credential_list` });
    return params;
  }
  return { ...values, ...params };
}
