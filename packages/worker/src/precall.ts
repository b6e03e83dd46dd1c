// enable_pre_call_checks at the edge: capability and context-window filters, their error returned rather than thrown.
import {
  type Deployment,
  filterByCapabilities,
  filterByContextWindow,
  SwitchyardError,
} from '@switchyard/core';
import type { ValidJob } from './job-data.ts';

export function checkContext(
  job: Pick<ValidJob, 'endpoint' | 'body'>,
  deployments: readonly Deployment[],
): Deployment[] | SwitchyardError {
  try {
    const capable = filterByCapabilities(deployments, job.endpoint, job.body);
    return filterByContextWindow(capable, job.endpoint, job.body);
  } catch (err) {
    if (err instanceof SwitchyardError) return err;
    throw err;
  }
}
