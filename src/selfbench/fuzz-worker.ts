/**
 * The fuzz runner's worker thread (fuzz.ts): reads each file it is sent as
 * `npm run bench -- --workload trace:FILE --threads 2` would before any run
 * (format detection, reading, the schedule), and answers how that ended.
 */
import { parentPort } from 'node:worker_threads';
import { InputError } from '../base/errors.js';
import { loadWorkload } from '../../workloads/index.js';
import { DEFAULT_GENERATOR } from '../../workloads/generators/nvme.js';
import { DEFAULT_LATENCY, parseLatency } from '../../workloads/latency-model.js';
import { buildSchedule } from '../../workloads/schedule/build.js';

/** How reading one file ended: its schedule built, bad input (exit 2), or anything else (exit 1). */
export interface FuzzAnswer {
  outcome: 'ok' | 'input-error' | 'other';
  message: string;
}

const latency = parseLatency(DEFAULT_LATENCY);

/** Read `file` and build its schedule at 2 threads. */
async function check(file: string): Promise<FuzzAnswer> {
  try {
    const loaded = await loadWorkload(`trace:${file}`, { threads: 2, latency, generator: DEFAULT_GENERATOR });
    buildSchedule('fuzz', loaded.requests, { threads: 2, segment: 'max', minAlignMask: 0xfff, latency, completionCpu: 'same' });
    return { outcome: 'ok', message: '' };
  } catch (err) {
    const e = err as Error;
    return { outcome: e instanceof InputError ? 'input-error' : 'other', message: `${e.name}: ${e.message}` };
  }
}

parentPort?.on('message', (file: string) => {
  void check(file).then((answer) => parentPort!.postMessage(answer));
});
