// "The current model list" of this process: a snapshot swapped whole when the fleet's list in Redis changes.
// Pub/sub wakes a reload at once; a periodic version check catches a missed message within `refreshMs`.
import { buildModelList, type Deployment, groupsOf, type SwitchyardConfig } from '@switchyard/core';
import { duplicateWith, ModelListStore, type RedisClient } from '@switchyard/redis-state';
import type { Logger } from 'pino';
import { createTargetResolver, type TargetResolver } from './route-target.ts';

export interface ModelSnapshot {
  /** The list's version in Redis (0: the config file's list, not read from Redis). */
  version: number;
  /** The worker's config with this list's deployments. */
  config: SwitchyardConfig;
  groups: ReadonlyMap<string, readonly Deployment[]>;
  resolveTarget: TargetResolver;
}

export interface ModelView {
  current(): ModelSnapshot;
}

export function snapshotOf(config: SwitchyardConfig, version = 0): ModelSnapshot {
  const groups = groupsOf(config);
  return { version, config, groups, resolveTarget: createTargetResolver(config, groups) };
}

/** The config file's list, never changing (no Redis document to follow). */
export function fixedModels(config: SwitchyardConfig): ModelView {
  const snapshot = snapshotOf(config);
  return { current: () => snapshot };
}

export interface LiveModelsOptions {
  config: SwitchyardConfig;
  store: ModelListStore;
  /** A connection of its own: it enters subscriber mode. */
  subscriber: RedisClient;
  logger: Logger;
  env?: Record<string, string | undefined>;
  saltKey?: string | undefined;
  /** How often the version is checked in case a message was missed. @defaultValue 500 */
  refreshMs?: number;
}

export interface LiveModels extends ModelView {
  /** Reads the list now if its version moved (the periodic check calls this). */
  refresh(): Promise<void>;
  close(): void;
}

export async function startLiveModels(opts: LiveModelsOptions): Promise<LiveModels> {
  const { config, store, subscriber, logger } = opts;
  let snapshot = snapshotOf(config);
  let running: Promise<void> | undefined;
  let again = false;

  const load = async (): Promise<void> => {
    const doc = await store.read();
    if (doc === undefined || doc.version === snapshot.version) return;
    const built = buildModelList(doc.entries, {
      env: opts.env ?? process.env,
      saltKey: opts.saltKey,
      config,
    });
    for (const issue of built.issues) {
      logger.error({ path: issue.path, version: doc.version }, `deployment skipped: ${issue.message}`);
    }
    snapshot = snapshotOf({ ...config, deployments: built.deployments }, doc.version);
    logger.info({ version: doc.version, groups: [...snapshot.groups.keys()] }, 'model list loaded');
  };
  // One reload at a time; a wake during a reload runs one more after it.
  const reload = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await load();
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const quiet = (err: unknown) => logger.warn({ err: (err as Error).message }, 'model list reload failed');

  subscriber.on('error', () => {});
  subscriber.on('message', () => void reload().catch(quiet));
  await subscriber.subscribe(store.keys.channel);
  await reload();
  const refresh = async () => {
    if ((await store.version()) !== snapshot.version) await reload();
  };
  const timer = setInterval(() => void refresh().catch(quiet), opts.refreshMs ?? 500);
  timer.unref();
  return {
    current: () => snapshot,
    refresh,
    close() {
      clearInterval(timer);
      subscriber.disconnect();
    },
  };
}

/** Seeds the fleet's list from this worker's config file (see `store_model_in_db`), then follows it. */
export async function followModelList(opts: {
  config: SwitchyardConfig;
  redis: RedisClient;
  namespace: string;
  logger: Logger;
  env?: Record<string, string | undefined>;
}): Promise<LiveModels> {
  const env = opts.env ?? process.env;
  const saltKey = env.SWITCHYARD_SALT_KEY || undefined;
  const store = new ModelListStore(opts.redis, opts.namespace);
  const seeded = await store.seed(opts.config);
  opts.logger.info(
    { storeModelInDb: opts.config.switchyard.storeModelInDb ?? false },
    `model list ${seeded}`,
  );
  return startLiveModels({ ...opts, store, subscriber: duplicateWith(opts.redis, {}), env, saltKey });
}
