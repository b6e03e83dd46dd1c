// Every key of a model group carries the hash tag `{<group>}`, so one script touches one slot (Cluster safe).

/** The keys that hold one deployment's routing state. */
export interface DeploymentKeys {
  /** Sorted set: reservationId → reserve time (ms), the sliding rpm/tpm window. */
  window: string;
  /** Hash: reservationId → tokens counted for it in the window. */
  tokens: string;
  /** Sorted set: reservationId → lease expiry (ms), requests in flight. */
  leases: string;
  /** Hash: cooldown_until, fails, fails_since, lat, lat_at, tpm (window token total). */
  state: string;
  /** List: the last latency samples, newest first. */
  latency: string;
}

export function groupTag(prefix: string, group: string): string {
  // An empty tag `{}` would hash the whole key and scatter the group over slots.
  if (group === '') throw new RangeError('model group name must not be empty');
  return `${prefix}:{${group}}`;
}

export function deploymentKeys(prefix: string, group: string, deploymentId: string): DeploymentKeys {
  const base = `${groupTag(prefix, group)}:d:${deploymentId}`;
  return {
    window: `${base}:win`,
    tokens: `${base}:tok`,
    leases: `${base}:lease`,
    state: `${base}:st`,
    latency: `${base}:lat`,
  };
}

/** Group key: the next free wake time handed to a waiter (pacing); background waiters have their own. */
export function nextWakeKey(
  prefix: string,
  group: string,
  lane: 'interactive' | 'background' = 'interactive',
): string {
  return `${groupTag(prefix, group)}:next_wake${lane === 'background' ? ':bg' : ''}`;
}

/**
 * Hash of every budget's spend (`<name>` → USD, `<name>:end` → period end). One key for the installation:
 * a provider's budget spans groups. It is in no group's slot, so only one-key calls touch it (Redis Cluster).
 */
export function budgetsKey(prefix: string): string {
  return `${prefix}:budgets`;
}
