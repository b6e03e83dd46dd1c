// Bearer-key check. Keys are compared as SHA-256 digests with timingSafeEqual, so neither a key's
// length nor its prefix leaks through response timing; the keys themselves are never logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type KeyCheck = (headers: IncomingHttpHeaders) => boolean;

const digest = (key: string) => createHash('sha256').update(key).digest();

/** Undefined when no keys are configured: the gateway is then open (meant for a private network). */
export function bearerKeyCheck(apiKeys: readonly string[] | undefined): KeyCheck | undefined {
  const keys = (apiKeys ?? []).filter((k) => k.length > 0).map(digest);
  if (keys.length === 0) return undefined;
  return (headers) => {
    const key = bearerKey(headers);
    if (key === undefined) return false;
    const given = digest(key);
    // Compare against every key (no early exit) so the matching key's position is not observable.
    let ok = false;
    for (const key of keys) ok = timingSafeEqual(given, key) || ok;
    return ok;
  };
}

/** The caller's key from `Authorization: Bearer <key>`, if any. */
export function bearerKey(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return match?.[1]?.trim() || undefined;
}

/** Whether the request carries the master key (compared as digests, like every key). */
export function isMasterKey(headers: IncomingHttpHeaders, masterKey: string | undefined): boolean {
  const key = bearerKey(headers);
  return !!masterKey && key !== undefined && timingSafeEqual(digest(key), digest(masterKey));
}

/** A key's SHA-256, hex: what is stored in Redis to remember who created a job (never the key). */
export function keyHash(key: string): string {
  return digest(key).toString('hex');
}
