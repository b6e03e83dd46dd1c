// What `client.stream()` returns: an async iterable of OpenAI chunks of one job's answer, readable from
// the start or after any chunk id; `break` or the AbortSignal stops reading (the job itself goes on).
import type { RoutingInfo, StreamChunk, StreamServing } from '@switchyard/core';
import type { StreamItem } from './stream-reader.ts';

export class ChunkStream implements AsyncIterable<StreamChunk> {
  readonly jobId: string;
  /** Id of the last chunk read: `client.resume(jobId, { after: lastId })` continues from there. */
  lastId: string | undefined;
  /** Who answers, known before the first chunk. */
  serving: StreamServing | undefined;
  /** The job's routing, once the answer is complete. */
  routing: RoutingInfo | undefined;
  readonly #open: () => AsyncGenerator<StreamItem, RoutingInfo | undefined>;

  constructor(jobId: string, open: () => AsyncGenerator<StreamItem, RoutingInfo | undefined>) {
    this.jobId = jobId;
    this.#open = open;
  }

  /** Every step of the read, the `start` announcement included (what the gateway relays). */
  async *items(): AsyncGenerator<StreamItem, RoutingInfo | undefined> {
    const read = this.#open();
    try {
      for (;;) {
        const step = await read.next();
        if (step.done) {
          this.routing = step.value;
          return step.value;
        }
        const item = step.value;
        if (item.kind === 'start') {
          const { kind: _kind, ...serving } = item;
          this.serving = serving;
        } else this.lastId = item.id;
        yield item;
      }
    } finally {
      // A consumer that stops early releases the reader's connection.
      await read.return(undefined);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<StreamChunk, void> {
    const read = this.items();
    try {
      for (;;) {
        const step = await read.next();
        if (step.done) return;
        if (step.value.kind === 'chunk') yield step.value.chunk;
      }
    } finally {
      await read.return(undefined);
    }
  }
}
