/** Facts about the machine a run used, for report headers and summary.json. */
import { availableParallelism, cpus, platform, arch, totalmem } from 'node:os';

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machineFacts(): MachineFacts {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${platform()}-${arch()}`,
  };
}

/** Warnings about the machine for a given configuration. */
export function machineWarnings(facts: MachineFacts, maxThreads: number): string[] {
  if (maxThreads <= facts.cores) return [];
  return [`${maxThreads} threads on ${facts.cores} cores: results then include the OS scheduler's effects (workers preempted while holding locks)`];
}
