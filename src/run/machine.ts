/** Facts about the machine a run used, for report headers and summary.json. */
import { availableParallelism, cpus, platform, arch, totalmem } from 'node:os';
import { threadsAboveCoresWarning } from '../analysis/warnings.js';

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

/** Warnings about the machine for a given configuration (threads above cores, with what to do). */
export function machineWarnings(facts: MachineFacts, maxThreads: number): string[] {
  const w = threadsAboveCoresWarning(maxThreads, facts.cores);
  return w ? [w] : [];
}
