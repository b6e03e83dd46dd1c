// enable_pre_call_checks at the edge: the context-window filter, its error returned rather than thrown.
import { type Deployment, filterByContextWindow, SwitchyardError } from '@switchyard/core';
import type { ValidJob } from './job-data.ts';

export function checkContext(
  job: ValidJob,
  deployments: readonly Deployment[],
): Deployment[] | SwitchyardError {
  try {
    return filterByContextWindow(deployments, job.endpoint, job.body);
  } catch (err) {
    if (err instanceof SwitchyardError) return err;
    throw err;
  }
}
