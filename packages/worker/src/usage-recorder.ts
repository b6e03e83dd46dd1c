// Usage totals per deployment, group, tag and gateway key, summed in memory from the pipeline's observer
// events and added to Redis once a second (one pipelined round trip), never on a job's path.
import {
  addCall,
  type Endpoint,
  emptyTotals,
  KEY_HASH_METADATA,
  type UsageDimension,
  type UsageTotals,
} from '@switchyard/core';
import type { JobObservation, Observer } from '@switchyard/observability';
import type { UsageDeltas, UsageStore } from '@switchyard/redis-state';
import type { Logger } from 'pino';

export class UsageRecorder {
  readonly #store: UsageStore;
  readonly #logger: Logger;
  #pending: UsageDeltas = new Map();
  readonly #timer: NodeJS.Timeout;
  #writing: Promise<void> = Promise.resolve();
  /** Groups this process has seen; a new one's endpoint is noted once (health checks without a mode use it). */
  readonly #seenGroups = new Set<string>();
  #firstUses = new Map<string, Endpoint>();
  readonly #noteFirstUse: ((uses: ReadonlyMap<string, Endpoint>) => Promise<void>) | undefined;

  constructor(
    store: UsageStore,
    logger: Logger,
    opts: { flushMs?: number; noteFirstUse?: (uses: ReadonlyMap<string, Endpoint>) => Promise<void> } = {},
  ) {
    this.#store = store;
    this.#logger = logger;
    this.#noteFirstUse = opts.noteFirstUse;
    const flushMs = opts.flushMs ?? 1_000;
    this.#timer = setInterval(() => void this.flush(), flushMs).unref();
  }

  /** The pipeline observer: counts every provider call (mocked ones left out: they reach no provider). */
  readonly observe: Observer = (o: JobObservation) => {
    if (o.kind !== 'call' || o.mocked) return;
    if (!this.#seenGroups.has(o.group)) {
      this.#seenGroups.add(o.group);
      this.#firstUses.set(o.group, o.endpoint);
    }
    const call = {
      ok: o.error === undefined,
      errorType: o.error?.type,
      promptTokens: o.usage?.promptTokens ?? 0,
      completionTokens: o.usage?.completionTokens ?? 0,
      cost: o.cost ?? 0,
      latencyMs: o.latencyMs,
    };
    this.#add('deployment', o.deployment.id, call);
    this.#add('group', o.group, call);
    const meta = o.metadata;
    if (Array.isArray(meta?.tags)) {
      for (const tag of meta.tags) if (typeof tag === 'string') this.#add('tag', tag, call);
    }
    const key = meta?.[KEY_HASH_METADATA];
    if (typeof key === 'string' && key !== '') this.#add('key', key, call);
  };

  /** Writes what has been counted since the last flush; resolves when it has landed. */
  flush(): Promise<void> {
    if (this.#firstUses.size > 0 && this.#noteFirstUse) {
      const uses = this.#firstUses;
      this.#firstUses = new Map();
      this.#noteFirstUse(uses).catch(() => {});
    }
    if (this.#pending.size === 0) return this.#writing;
    const deltas = this.#pending;
    this.#pending = new Map();
    this.#writing = this.#writing.then(() =>
      this.#store
        .add(deltas)
        .catch((err: Error) => this.#logger.warn({ err: err.message }, 'writing usage totals failed')),
    );
    return this.#writing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  #add(dim: UsageDimension, id: string, call: Parameters<typeof addCall>[1]): void {
    const byId = this.#pending.get(dim) ?? new Map<string, UsageTotals>();
    this.#pending.set(dim, byId);
    const t = byId.get(id) ?? emptyTotals();
    byId.set(id, t);
    addCall(t, call);
  }
}
