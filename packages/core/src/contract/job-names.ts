// The job names a producer may put on the queue: one per OpenAI endpoint the workers serve.

export const JOB_NAMES = [
  'chat.completions',
  'completions',
  'embeddings',
  'images.generations',
  'audio.transcriptions',
  'audio.translations',
  'audio.speech',
  'moderations',
  'rerank',
] as const;

/** A queue job name, which is also the OpenAI endpoint it stands for. */
export type Endpoint = (typeof JOB_NAMES)[number];

export function isEndpoint(name: string): name is Endpoint {
  return (JOB_NAMES as readonly string[]).includes(name);
}

/** A batch's own jobs on the same queue (BullMQ flow parents), dispatched before routing. */
export const BATCH_JOB_NAMES = {
  /** The flow's parent: runs once every request has settled and writes the output and error files. */
  finalize: 'batch',
  /** Delayed to the batch deadline: removes the requests that have not started. */
  expire: 'batch.expire',
} as const;
