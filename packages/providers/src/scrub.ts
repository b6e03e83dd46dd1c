// Secrets must never reach an error message, a log line or Redis: the key itself and anything key-shaped is masked.
const KEY_SHAPED = [/\bsk-[A-Za-z0-9_-]{8,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi];

export function scrub(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s !== undefined && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  for (const re of KEY_SHAPED) out = out.replace(re, '[redacted]');
  return out;
}
