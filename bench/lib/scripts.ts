// SHA1 → name of Switchyard's Lua scripts, the way ioredis computes the EVALSHA digest, so MONITOR
// output can tell routing/recording round trips apart from BullMQ's own scripts.
import { createHash } from 'node:crypto';
import { scriptSource } from '@switchyard/redis-state';

const NAMES = ['reserveCapacity', 'recordOutcome', 'releaseReservation', 'snapshotDeployments'];

export function switchyardScriptShas(): Map<string, string> {
  return new Map(NAMES.map((name) => [createHash('sha1').update(scriptSource(name)).digest('hex'), name]));
}
