/**
 * Piscina worker entry: plays one CPU of a run. Loaded from dist/ (workers
 * cannot load .ts on Node 20).
 */
import { loadStrategy } from '../../strategies/index.js';
import { Control, PHASE_STOP } from './control.js';
import { CpuReplay } from './cpu-replay.js';
import { PeakPicture } from './peak-picture.js';
import { copyPools } from './pool-snapshot.js';
import type { WorkerResult, WorkerTask } from './task.js';

export default async function runCpu(task: WorkerTask): Promise<WorkerResult | Record<string, number>> {
  const strategy = await loadStrategy(task.strategy);
  if (task.role === 'background') {
    const control = new Control(task.control, task.threads);
    return strategy.runBackground!(task.state, () => control.phase >= PHASE_STOP || control.aborted);
  }
  const alloc = strategy.attach(task.state);
  const peak = new PeakPicture(() => copyPools(strategy.livePools?.(task.state) ?? task.state.pools));
  return new CpuReplay(task, alloc, peak).run();
}
