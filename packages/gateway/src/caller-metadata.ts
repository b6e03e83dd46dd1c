// Job metadata only the gateway writes, from the HTTP request, whatever the body's `metadata` says.
import type { IncomingHttpHeaders } from 'node:http';
import { KEY_HASH_METADATA, MAX_USER_AGENT_CHARS, USER_AGENT_METADATA } from '@switchyard/core';
import { keyHash } from './auth.ts';

/**
 * - `metadata.user_api_key_hash`: usage per gateway key, so a caller cannot charge its calls to another key.
 *   Never the key itself.
 * - `metadata.user_agent`: the `User-Agent` header, which deployments' `tag_regex` route on (LiteLLM proxy
 *   does the same), cut to the characters routing reads. From the header only, as LiteLLM does: the body
 *   cannot claim another one (the header itself is the caller's to set: a routing hint, not an identity).
 * Both LiteLLM proxy's names. A body without metadata gets one only when there is something to put in it.
 */
export function stampCallerMetadata(
  body: Record<string, unknown>,
  key: string | undefined,
  headers: IncomingHttpHeaders,
): void {
  const meta = body.metadata;
  const own: Record<string, unknown> =
    meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? { ...meta } : {};
  delete own[KEY_HASH_METADATA];
  delete own[USER_AGENT_METADATA];
  if (key !== undefined) own[KEY_HASH_METADATA] = keyHash(key);
  const userAgent = headers['user-agent'];
  if (userAgent) own[USER_AGENT_METADATA] = userAgent.slice(0, MAX_USER_AGENT_CHARS);
  if (meta !== undefined || Object.keys(own).length > 0) body.metadata = own;
}
