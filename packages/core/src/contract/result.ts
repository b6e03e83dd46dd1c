// The result of a job (`job.returnvalue`): the provider's OpenAI-format body plus one `routing` key.
import type { ErrorType } from '../errors/taxonomy.ts';

/** One attempt of a job, as kept across retries and reported in `routing.attempts`. */
export interface AttemptRecord {
  deploymentId: string;
  modelGroup: string;
  latencyMs: number;
  error?: { type: ErrorType; status: number; message: string };
}

export interface RoutingInfo {
  modelGroup: string;
  deploymentId: string;
  provider: string;
  latencyMs: number;
  cost: number;
  cacheHit: boolean;
  attempts: AttemptRecord[];
}

export type RoutedResult = Record<string, unknown> & { routing: RoutingInfo };

/** The one way a result is built: a provider's answer and a cache hit alike. */
export function routedResult(body: Record<string, unknown>, routing: RoutingInfo): RoutedResult {
  return { ...body, routing };
}
