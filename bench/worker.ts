/**
 * Piscina worker entry: plays one CPU of a run. Loaded from dist/ (workers
 * cannot load .ts on Node 20).
 */
import { loadStrategy } from '../strategies/index.js';
import { CpuReplay } from './cpu-replay.js';
import type { WorkerResult, WorkerTask } from './task.js';

export default async function runCpu(task: WorkerTask): Promise<WorkerResult> {
  const alloc = (await loadStrategy(task.strategy)).attach(task.state);
  return new CpuReplay(task, alloc).run();
}
