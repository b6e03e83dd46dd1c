// Counters per model key and a capped request log with credentials redacted.
import type { FakeModelStats, FakeRequestRecord, FakeStats } from './types.ts';

const CREDENTIAL_HEADERS = new Set(['authorization', 'api-key', 'x-api-key']);

export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    out[name] = CREDENTIAL_HEADERS.has(name) ? redact(value) : value;
  }
  return out;
}

/** `***` plus the last 4 characters, enough to tell keys apart in assertions. */
export function redact(value: string): string {
  return value.length > 8 ? `***${value.slice(-4)}` : '***';
}

function emptyStats(): FakeModelStats {
  return { requests: 0, ok: 0, errors: {}, rateLimited: 0, faults: {}, maxConcurrentSeen: 0 };
}

export type Outcome =
  | { kind: 'ok' }
  | { kind: 'error'; status: number; rateLimited?: boolean }
  | { kind: 'fault'; fault: string; status?: number };

export class StatsBook {
  #models = new Map<string, FakeModelStats>();
  #total = emptyStats();
  #inFlight = new Map<string, number>();
  #totalInFlight = 0;

  inFlight(key: string): number {
    return this.#inFlight.get(key) ?? 0;
  }

  #model(key: string): FakeModelStats {
    let s = this.#models.get(key);
    if (!s) {
      s = emptyStats();
      this.#models.set(key, s);
    }
    return s;
  }

  /** A request arrived: count it and raise the concurrency peak. Pair with `end()`. */
  begin(key: string): void {
    const n = this.inFlight(key) + 1;
    this.#inFlight.set(key, n);
    this.#totalInFlight++;
    const s = this.#model(key);
    s.requests++;
    s.maxConcurrentSeen = Math.max(s.maxConcurrentSeen, n);
    this.#total.requests++;
    this.#total.maxConcurrentSeen = Math.max(this.#total.maxConcurrentSeen, this.#totalInFlight);
  }

  end(key: string, outcome: Outcome): void {
    this.#inFlight.set(key, Math.max(0, this.inFlight(key) - 1));
    this.#totalInFlight = Math.max(0, this.#totalInFlight - 1);
    for (const s of [this.#model(key), this.#total]) {
      if (outcome.kind === 'ok') s.ok++;
      else if (outcome.kind === 'fault') s.faults[outcome.fault] = (s.faults[outcome.fault] ?? 0) + 1;
      if (outcome.kind !== 'ok' && outcome.status !== undefined && outcome.status !== 200) {
        s.errors[outcome.status] = (s.errors[outcome.status] ?? 0) + 1;
      }
      if (outcome.kind === 'error' && outcome.rateLimited) s.rateLimited++;
    }
  }

  snapshot(): FakeStats {
    return structuredClone({ total: this.#total, models: Object.fromEntries(this.#models) });
  }

  reset(): void {
    this.#models.clear();
    this.#total = emptyStats();
    // In-flight requests keep their slots: they are still open and will call end().
  }
}

export function pushCapped(log: FakeRequestRecord[], record: FakeRequestRecord, cap: number): void {
  log.push(record);
  if (log.length > cap) log.splice(0, log.length - cap);
}
