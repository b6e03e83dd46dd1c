// Defaults every side of the queue must agree on (workers, client SDK, gateway, CLI).

/** BullMQ queue name when the config's `switchyard_settings.queue_name` is not set. */
export const DEFAULT_QUEUE_NAME = 'switchyard';
/** BullMQ's own key prefix; Switchyard uses it unless `switchyard_settings.queue_prefix` says otherwise. */
export const DEFAULT_QUEUE_PREFIX = 'bull';
/** Seconds finished jobs (and their results) are kept for late readers. */
export const DEFAULT_RESULT_TTL_SEC = 3600;
/** How long a caller (SDK or gateway) waits for a result before giving up; the job keeps going. */
export const DEFAULT_WAIT_TIMEOUT_MS = 600_000;
/** Key in job data where the worker keeps its plan between attempts; producers never set it. */
export const STATE_KEY = '_switchyard';

/**
 * Namespace of the routing-state and cache keys: the queue's prefix and name, so two installations
 * sharing one Redis share nothing. Braces are dropped so each group's own `{group}` tag decides the
 * Cluster slot.
 */
export function stateNamespace(settings: { queueName?: string; queuePrefix?: string | undefined }): string {
  const prefix = (settings.queuePrefix ?? DEFAULT_QUEUE_PREFIX).replace(/[{}]/g, '');
  return `${prefix}:${settings.queueName ?? DEFAULT_QUEUE_NAME}:sy`;
}
