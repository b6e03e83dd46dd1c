// `switchyard events tail`: prints the job-outcome event stream as JSON lines (one StandardLoggingPayload
// per line, with the stream entry id and the event type), from now on or from the start, until interrupted.
import { SwitchyardClient } from '@switchyard/client';
import { clientOptions } from '../fleet-command.ts';
import { loadConfigOrExit } from '../load-config.ts';

export interface EventsTailOptions {
  config?: string;
  queue?: string;
  fromStart?: boolean;
  group?: string;
  /** Stop after this many events. */
  count?: number;
}

export async function runEventsTail(opts: EventsTailOptions): Promise<void> {
  const config = opts.config ? loadConfigOrExit(opts.config) : undefined;
  const client = new SwitchyardClient(clientOptions(config, opts.queue));
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  let seen = 0;
  try {
    for await (const event of client.events({
      from: opts.fromStart ? '0' : '$',
      signal: stop.signal,
      ...(opts.group ? { group: opts.group } : {}),
    })) {
      process.stdout.write(
        `${JSON.stringify({ stream_id: event.id, type: event.type, ...event.payload })}\n`,
      );
      if (opts.count !== undefined && ++seen >= opts.count) break;
    }
  } finally {
    await client.close();
  }
}
