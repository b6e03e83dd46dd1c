// The worker's long-lived parts for the stage pipeline, built once: the live model list behind the
// config / groups / target getters, the outcome batcher and the background writes.
import type { SwitchyardConfig } from '@switchyard/core';
import type { JobTracer, Observer } from '@switchyard/observability';
import type { RoutingState } from '@switchyard/redis-state';
import type { Logger } from 'pino';
import { createBackgroundWrites } from '../background-writes.ts';
import type { DeploymentRouter } from '../deployment-router.ts';
import type { ModelView } from '../live-models.ts';
import { WORKER_DEFAULTS } from '../options.ts';
import { OutcomeBatcher } from '../outcome-batcher.ts';
import type { ResponseCache } from '../response-cache.ts';
import type { Invoke, PipelineDeps, Streaming } from './context.ts';

export interface ProcessorDeps {
  config: SwitchyardConfig;
  /** The current model list: every stage reads the snapshot of the moment, swapped when the list changes. */
  models: ModelView;
  router: DeploymentRouter;
  state: RoutingState;
  call: Invoke;
  /** Present when `stream: true` jobs can be served. */
  streaming?: Streaming;
  logger: Logger;
  random?: () => number;
  /** Present when the config turns response caching on. */
  cache?: ResponseCache;
  /** @defaultValue WORKER_DEFAULTS.outcomeBatchSize */
  outcomeBatchSize?: number;
  /** @defaultValue WORKER_DEFAULTS.leaseMarginMs */
  leaseMarginMs?: number;
  /** Told every settled attempt; see PipelineDeps.observe. */
  observe?: Observer;
  /** See PipelineDeps.tracer. */
  tracer?: Pick<JobTracer, 'run'>;
}

/** The pipeline's deps and `flush`, which resolves once every background write has landed. */
export function createPipeline(deps: ProcessorDeps): { pipeline: PipelineDeps; flush: () => Promise<void> } {
  const background = createBackgroundWrites(deps.logger);
  const pipeline: PipelineDeps = {
    ...deps,
    // An attempt holds its Deployment object, so a swap never changes a call already made.
    get config() {
      return deps.models.current().config;
    },
    get groups() {
      return deps.models.current().groups;
    },
    resolveTarget: (name, specificDeployment) =>
      deps.models.current().resolveTarget(name, specificDeployment),
    outcomes: new OutcomeBatcher(
      deps.state,
      deps.logger,
      deps.outcomeBatchSize ?? WORKER_DEFAULTS.outcomeBatchSize,
    ),
    leaseMarginMs: deps.leaseMarginMs ?? WORKER_DEFAULTS.leaseMarginMs,
    random: deps.random ?? Math.random,
    background: background.add,
  };

  const flush = async () => {
    await pipeline.outcomes.drain();
    await deps.router.drainLeases();
    await background.flush();
  };
  return { pipeline, flush };
}
