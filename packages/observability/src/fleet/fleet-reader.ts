// The fleet's routing state as one plain object, read from Redis on demand: every deployment of the model
// list in Redis (runtime additions included) with its shared counters, and the queue's job counts. The one
// reader behind the gateway's `/metrics` and its `/ui` dashboard.
import {
  buildModelList,
  type Deployment,
  groupsOf,
  publicApiBase,
  type SwitchyardConfig,
} from '@switchyard/core';
import {
  type DeploymentStatus,
  HealthStore,
  ModelListStore,
  type RedisClient,
  RoutingState,
  type StoredHealth,
} from '@switchyard/redis-state';

/** BullMQ states reported per queue. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** A deployment as the fleet view shows it: no credential, `apiBase` without userinfo or query. */
export interface FleetDeployment {
  id: string;
  group: string;
  provider: string;
  model: string;
  litellmModel: string;
  apiBase: string;
  rpm?: number | undefined;
  tpm?: number | undefined;
  maxParallelRequests?: number | undefined;
  status: DeploymentStatus;
  /** Its last health check (`GET /health`, background checks), when one ran. */
  health?: StoredHealth | undefined;
}

export interface FleetSnapshot {
  atMs: number;
  queue: { name: string; counts: Record<QueueState, number> };
  /** The model list's version in Redis (0: the config file's list). */
  modelListVersion: number;
  deployments: FleetDeployment[];
}

/** The logical queue: its name and its job counts summed over every shard (`SwitchyardClient.getJobCounts`). */
export interface FleetQueue {
  name: string;
  getJobCounts(...states: QueueState[]): Promise<Record<QueueState, number>>;
}

export interface FleetReaderOptions {
  /** The workers' config: the fallback list when Redis holds none, and the router's defaults. */
  config: SwitchyardConfig;
  queue: FleetQueue;
  redis: RedisClient;
  /** Routing state key prefix (`stateNamespace()` of the workers' settings). */
  namespace: string;
  /** The workers' rpm/tpm window. @defaultValue 60000 */
  windowMs?: number;
  /** Where `os.environ/NAME` in non-secret params resolves (api_base). @defaultValue process.env */
  env?: Record<string, string | undefined>;
}

export class FleetReader {
  readonly #opts: FleetReaderOptions;
  readonly #state: RoutingState;
  readonly #store: ModelListStore;
  readonly #health: HealthStore;
  #list: { version: number; groups: Map<string, Deployment[]> };

  constructor(opts: FleetReaderOptions) {
    this.#opts = opts;
    this.#state = new RoutingState(opts.redis, {
      prefix: opts.namespace,
      ...(opts.windowMs ? { windowMs: opts.windowMs } : {}),
    });
    this.#store = new ModelListStore(opts.redis, opts.namespace);
    this.#health = new HealthStore(opts.redis, opts.namespace);
    this.#list = { version: 0, groups: groupsOf(opts.config) };
  }

  /** Reads Redis now (the model list only when its version moved); rejects when Redis cannot be read. */
  async read(): Promise<FleetSnapshot> {
    const { queue } = this.#opts;
    const [counts, version, health] = await Promise.all([
      queue.getJobCounts(...QUEUE_STATES),
      this.#refreshList(),
      this.#health.read(),
    ]);
    const groups = [...this.#list.groups];
    const statuses = await Promise.all(
      groups.map(([group, ds]) =>
        this.#state.status(
          group,
          ds.map((d) => d.id),
        ),
      ),
    );
    const deployments = groups.flatMap(([group, ds], g) =>
      ds.map(
        (d, i): FleetDeployment => ({
          id: d.id,
          group,
          provider: d.provider,
          model: d.model,
          litellmModel: d.litellmModel,
          apiBase: publicApiBase(d.apiBase),
          rpm: d.rpm,
          tpm: d.tpm,
          maxParallelRequests: d.maxParallelRequests,
          status: statuses[g]![i]!,
          health: health.get(d.id),
        }),
      ),
    );
    return {
      atMs: Date.now(),
      queue: { name: queue.name, counts },
      modelListVersion: version,
      deployments,
    };
  }

  async #refreshList(): Promise<number> {
    const version = await this.#store.version();
    if (version === 0 || version === this.#list.version) return this.#list.version;
    const doc = await this.#store.read();
    if (!doc) return this.#list.version;
    const { deployments } = buildModelList(doc.entries, {
      env: this.#opts.env ?? process.env,
      config: this.#opts.config,
      view: true,
    });
    this.#list = { version: doc.version, groups: groupsOf({ ...this.#opts.config, deployments }) };
    return doc.version;
  }
}
