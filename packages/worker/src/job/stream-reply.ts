// The streaming Reply of a `stream: true` job: its attempts stream into the job's Redis Stream, the answer
// ends with a `done` event (a cached or mocked answer is replayed as chunks first), a failure with an
// `error` event. A job activated again after its worker died mid-answer first marks a `restart`: what
// follows is a complete second answer, never a splice onto the first one's chunks.
import {
  chunksFromResult,
  type Endpoint,
  isEndpoint,
  parseFailedReason,
  type RoutedResult,
  streamKey,
  streamRequest,
} from '@switchyard/core';
import type { Job } from 'bullmq';
import { StreamWriter } from '../stream-writer.ts';
import type { PipelineDeps, Reply, Streaming } from './context.ts';
import { plainReply } from './reply.ts';
import { streamingInvoke } from './stream-invoke.ts';

/** The Reply a job's data asks for: streaming when it says `stream: true` (validated by prepare). */
export function openReply(job: Job, deps: PipelineDeps): Reply {
  const wanted = streamRequest(job.data);
  if (!wanted.stream || !deps.streaming || job.id === undefined) return plainReply(deps);
  return streamReply(job, deps, deps.streaming, wanted.includeUsage);
}

function streamReply(job: Job, deps: PipelineDeps, streaming: Streaming, includeUsage: boolean): Reply {
  const { config } = deps;
  const { redis, namespace } = streaming;
  const finalTtlMs = Math.max(1, config.switchyard.resultTtlSec) * 1000;
  const writer = new StreamWriter(redis, {
    key: streamKey(namespace, job.id!),
    maxEntries: config.switchyard.streamMaxEntries,
    liveTtlMs: finalTtlMs + config.router.timeoutMs,
    finalTtlMs,
  });
  // Only a job that ran before can have chunks from a dead worker in its stream.
  const restarted =
    job.attemptsStarted > 1
      ? redis.exists(streamKey(namespace, job.id!)).then(async (n) => {
          if (n === 0) return;
          writer.event({
            type: 'restart',
            reason: 'the worker streaming this answer stopped; it starts again',
          });
          await writer.flush();
        })
      : Promise.resolve();
  const invoke = streamingInvoke(streaming.open, writer, includeUsage);
  const endpoint: Endpoint = isEndpoint(job.name) ? job.name : 'chat.completions';
  return {
    invoke: async (req) => {
      await restarted;
      return invoke(req);
    },
    get committed() {
      return writer.pushed > 0;
    },
    async answered(result: RoutedResult) {
      await restarted;
      if (writer.pushed === 0) {
        const { modelGroup, deploymentId, provider } = result.routing;
        writer.event({ type: 'start', modelGroup, deploymentId, provider });
        for (const chunk of chunksFromResult(endpoint, result, includeUsage)) writer.push(chunk);
      }
      const { routing, usage } = result;
      await writer
        .end({ type: 'done', routing, ...(usage ? { usage: usage as Record<string, unknown> } : {}) })
        .catch((err: unknown) =>
          deps.logger.warn({ jobId: job.id, err: (err as Error).message }, 'stream end not written'),
        );
      return result;
    },
    async failed(reason: string) {
      await restarted.catch(() => {});
      const { type, message } = parseFailedReason(reason);
      await writer
        .end({ type: 'error', error: { type, message } })
        .catch((err: unknown) =>
          deps.logger.warn({ jobId: job.id, err: (err as Error).message }, 'stream error not written'),
        );
    },
  };
}
