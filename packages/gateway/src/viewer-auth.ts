// Who may look (the `/metrics` scrape and the `/ui` dashboard): the master key or a read-only key, as a
// Bearer header or, for a browser, a session cookie. The cookie is `<expiry>.<HMAC(key, expiry)>` — it
// never holds the key, needs no server-side store (any gateway with the same keys accepts it), and
// dies with its expiry or when the key is removed.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerKey } from './auth.ts';

export const VIEWER_COOKIE = 'sy_view';

/** How long a dashboard session lasts. @defaultValue 12 h */
const SESSION_MS = 12 * 60 * 60 * 1000;

const digest = (value: string) => createHash('sha256').update(value).digest();

export interface ViewerAuth {
  /** False on a gateway without any key: looking is then open, like everything else there. */
  readonly required: boolean;
  /** A Bearer master/read-only key, or a valid session cookie. */
  allows(headers: IncomingHttpHeaders): boolean;
  /** A session cookie for `key`, or undefined when the key may not view. */
  session(key: string, nowMs?: number): string | undefined;
}

/** `keys`: the master key and the read-only keys; `required`: whether the gateway has any key at all. */
export function viewerAuth(keys: readonly (string | undefined)[], required: boolean): ViewerAuth {
  const usable = keys.filter((k): k is string => typeof k === 'string' && k.length > 0);
  const digests = usable.map(digest);
  const isKey = (key: string): string | undefined => {
    const given = digest(key);
    let found: string | undefined;
    // No early exit: which key matched is not observable through timing.
    digests.forEach((d, i) => {
      if (timingSafeEqual(given, d)) found = usable[i];
    });
    return found;
  };
  const sign = (key: string, expiry: number) =>
    createHmac('sha256', key).update(`switchyard-ui:${expiry}`).digest('base64url');
  const validCookie = (value: string, nowMs: number): boolean => {
    const [expiryText, mac] = value.split('.');
    const expiry = Number(expiryText);
    if (!mac || !Number.isSafeInteger(expiry) || expiry < nowMs) return false;
    const given = digest(mac);
    let ok = false;
    for (const key of usable) ok = timingSafeEqual(given, digest(sign(key, expiry))) || ok;
    return ok;
  };
  return {
    required,
    allows(headers) {
      if (!required) return true;
      const key = bearerKey(headers);
      if (key !== undefined) return isKey(key) !== undefined;
      const cookie = cookieValue(headers.cookie, VIEWER_COOKIE);
      return cookie !== undefined && validCookie(cookie, Date.now());
    },
    session(key, nowMs = Date.now()) {
      const matched = isKey(key);
      if (matched === undefined) return undefined;
      const expiry = nowMs + SESSION_MS;
      return `${expiry}.${sign(matched, expiry)}`;
    },
  };
}

/** The cookie header's value for `name`. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** `Set-Cookie` for a session: not readable by scripts, sent to the dashboard's paths only. */
export function sessionCookie(value: string): string {
  return `${VIEWER_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}`;
}
