// LiteLLM's per-request `priority` (lower is served sooner, 0 first) as a BullMQ job priority. The producer
// sets it when adding the job, so the queue itself orders waiting jobs; it never reaches a provider.
import { SwitchyardError } from '../errors/taxonomy.ts';

/** BullMQ's largest priority (2^21 - 1); 0 there means "no priority". */
export const MAX_BULLMQ_PRIORITY = 2_097_151;

/**
 * `priority` p of a request body → BullMQ priority p + 1 (BullMQ reserves 0 for "none"), undefined when
 * absent. Throws BadRequestError naming the field for anything but an integer 0 … 2,097,150.
 */
export function bullmqPriority(body: Readonly<Record<string, unknown>>): number | undefined {
  const value = body.priority;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= MAX_BULLMQ_PRIORITY) {
    throw new SwitchyardError(
      'BadRequestError',
      `priority must be an integer from 0 (served first) to ${MAX_BULLMQ_PRIORITY - 1}, got ${JSON.stringify(value)}`,
    );
  }
  return value + 1;
}

/** The body without `priority`: what goes into job data. */
export function withoutPriority(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (!Object.hasOwn(body, 'priority')) return body as Record<string, unknown>;
  const { priority: _priority, ...rest } = body;
  return rest;
}
