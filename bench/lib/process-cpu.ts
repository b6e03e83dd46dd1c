// CPU time of processes, to split a job's cost between the worker, Redis and the bench's own driver (the
// closed-loop callers and the in-process fake). On a saturated 2-core machine throughput goes as 1 / CPU per
// job, so the split says where a difference between variants comes from (it is no steadier than jobs/s here).
import { readFileSync } from 'node:fs';

/**
 * user + sys CPU of a process so far, all its threads (V8's GC helpers too), in µs: fields 14 and 15 of
 * /proc/PID/stat, in ticks of 10 ms (USER_HZ 100 on Linux); NaN where it can't be read.
 */
export function processCpuMicros(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return Number.NaN;
  }
}

/** This process's CPU (user + system) so far, in µs. */
export function ownCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
