/** Facts about the machine a run used, for summary.json, summary.md and report headers. */
import { arch, availableParallelism, cpus, platform, totalmem } from 'node:os';

/** What a result says about where it was measured. */
export interface MachineFacts {
  /** Logical CPUs Node may use (availableParallelism). */
  cores: number;
  cpuModel: string;
  /** Total memory, GiB, rounded. */
  memoryGiB: number;
  /** Node.js version, e.g. `v20.20.2`. */
  node: string;
  /** e.g. `linux-x64`. */
  platform: string;
}

/** This machine's facts. */
export function machineFacts(): MachineFacts {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${platform()}-${arch()}`,
  };
}
