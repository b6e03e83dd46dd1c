// The Observer that turns settled attempts into outcome events and hands them to the stream and the
// configured sinks, each behind its own bounded SinkQueue: nothing here waits, nothing here throws.
import type { JobObservation, Observer } from '../observation.ts';
import { eventTypes, toPayload } from './payload.ts';
import { SinkQueue } from './sink-queue.ts';
import type { EventEntry } from './stream-sink.ts';

export interface EventSink {
  /** For the drop metric and logs; never a URL (it may carry a token). */
  name: string;
  /** Which events it receives: success events, and failure / fallback / cooldown events. */
  success: boolean;
  failure: boolean;
  deliver: (batch: EventEntry[]) => Promise<void>;
  /** How long a batch gathers before it goes (SinkQueueOptions.lingerMs). @defaultValue 0 */
  lingerMs?: number;
}

export interface OutcomeEventsOptions {
  sinks: readonly EventSink[];
  onDrop: (name: string, count: number, reason: string) => void;
  /** Events buffered per sink. @defaultValue 10000 */
  capacity?: number;
}

export class OutcomeEvents {
  readonly #queues: { sink: EventSink; queue: SinkQueue<EventEntry> }[];

  constructor(opts: OutcomeEventsOptions) {
    this.#queues = opts.sinks.map((sink) => ({
      sink,
      queue: new SinkQueue<EventEntry>({
        name: sink.name,
        deliver: sink.deliver,
        onDrop: opts.onDrop,
        ...(opts.capacity ? { capacity: opts.capacity } : {}),
        ...(sink.lingerMs ? { lingerMs: sink.lingerMs } : {}),
      }),
    }));
  }

  readonly observe: Observer = (o: JobObservation): void => {
    for (const type of eventTypes(o)) {
      const entry: EventEntry = { type, payload: toPayload(o, type) };
      for (const { sink, queue } of this.#queues) {
        if (type === 'success' ? sink.success : sink.failure) queue.push(entry);
      }
    }
  };

  /** Delivers (or drops) everything observed so far. */
  async flush(): Promise<void> {
    await Promise.all(this.#queues.map(({ queue }) => queue.flush()));
  }
}
