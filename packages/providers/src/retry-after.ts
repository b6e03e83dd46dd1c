// How long a provider asked us to wait, from every header that says so; the longest wins.

/** OpenAI/Go duration strings: `1s`, `6m0s`, `250ms`, `1h2m3.5s`; a bare number means seconds. */
export function parseDurationMs(value: string): number | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const m =
    /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(v);
  if (!m || m.slice(1).every((g) => g === undefined)) return undefined;
  const [h, min, s, ms] = m.slice(1).map((g) => (g === undefined ? 0 : Number(g))) as [
    number,
    number,
    number,
    number,
  ];
  return ((h * 60 + min) * 60 + s) * 1000 + ms;
}

/** `retry-after`: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A provider may not park a job for longer than this, whatever its header says (job data is bounded). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Lower-cased headers in, the longest requested wait in ms out (undefined when none says anything). */
export function retryAfterMs(headers: Record<string, string>, now: number = Date.now()): number | undefined {
  const candidates: (number | undefined)[] = [];
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) candidates.push(Number(ms.trim()));
  const ra = headers['retry-after'];
  if (ra !== undefined) candidates.push(parseRetryAfter(ra, now));
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) {
    const d = headers[name];
    if (d !== undefined) candidates.push(parseDurationMs(d));
  }
  const found = candidates.filter((c): c is number => c !== undefined && Number.isFinite(c));
  return found.length === 0 ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.ceil(Math.max(...found)));
}
