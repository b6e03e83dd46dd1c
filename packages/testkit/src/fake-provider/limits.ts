// The fake's own provider-side limits: a sliding-window RPM and a concurrency cap per model key.
import type { FakeLimits } from './types.ts';

export interface LimitVerdict {
  ok: boolean;
  /** When rejected by rpm: ms until the oldest request leaves the window. */
  retryAfterMs?: number;
  reason?: 'rpm' | 'concurrency';
}

export interface Limiter {
  /** Admit or reject a request that arrives now while `inFlight` others are in progress. */
  admit(key: string, inFlight: number, now: number): LimitVerdict;
  reset(): void;
}

export function createLimiter(
  defaults: FakeLimits,
  perModel: Record<string, FakeLimits>,
  windowMs: number,
): Limiter {
  const windows = new Map<string, number[]>();
  return {
    admit(key, inFlight, now) {
      const limits = { ...defaults, ...perModel[key] };
      if (limits.maxConcurrent !== undefined && inFlight >= limits.maxConcurrent) {
        return { ok: false, reason: 'concurrency', retryAfterMs: 100 };
      }
      if (limits.rpm !== undefined) {
        const times = (windows.get(key) ?? []).filter((t) => t > now - windowMs);
        windows.set(key, times);
        if (times.length >= limits.rpm) {
          return { ok: false, reason: 'rpm', retryAfterMs: Math.max(1, times[0]! + windowMs - now) };
        }
        times.push(now);
      }
      return { ok: true };
    },
    reset() {
      windows.clear();
    },
  };
}
