// The machine a run was taken on: numbers mean little without it (shared VMs vary ±30 % run to run).
import { cpus, loadavg, totalmem } from 'node:os';
import type { Redis } from 'ioredis';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  redis: string;
  /** 1-minute load average when the run started: above ~0.5 × cores, other work was competing. */
  loadAvg1m: number;
  date: string;
}

export async function machineInfo(redis: Redis): Promise<MachineInfo> {
  const info = await redis.info('server');
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    loadAvg1m: Number(loadavg()[0]!.toFixed(2)),
    date: new Date().toISOString(),
  };
}
