/**
 * The worker threads of one run: one piscina worker per CPU (minThreads =
 * maxThreads, so all start at once) plus the strategy's background thread
 * when it has one. A worker that throws, at any phase, becomes the run's
 * failure: recorded once, the control block's abort flag raised, and never an
 * unhandled rejection. The main thread only polls; it never blocks.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Piscina } from 'piscina';
import { builtFile } from '../base/paths.js';
import type { Strategy } from '../model/strategy.js';
import type { Control } from './control.js';
import type { WorkerResult, WorkerTask } from './task.js';

/** A run that failed: a worker error, a timeout, or a hung worker. */
export class RunError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunError';
  }
}

/** The running workers of one run. */
export class WorkerSet {
  private readonly pool: Piscina<WorkerTask, WorkerResult>;
  private readonly cpus: Promise<WorkerResult | null>[];
  private readonly background: Promise<Record<string, number> | null>;
  /** The first failure of any worker, once there is one. */
  failure: RunError | undefined;

  /** Start one worker per CPU of `base.threads` (and the background thread of `strategy`, if any). */
  constructor(strategy: Strategy, base: Omit<WorkerTask, 'cpu'>, private readonly control: Control) {
    const threads = base.threads + (strategy.runBackground ? 1 : 0);
    this.pool = new Piscina<WorkerTask, WorkerResult>({ filename: builtFile('src', 'run', 'worker.js'), minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
    this.cpus = Array.from({ length: base.threads }, (_, cpu) => this.pool.run({ ...base, cpu }).catch(this.failed(`worker for cpu ${cpu}`)));
    this.background = strategy.runBackground
      ? (this.pool.run({ ...base, cpu: -1, role: 'background' }) as unknown as Promise<Record<string, number>>).catch(this.failed(`${strategy.name} background thread`))
      : Promise.resolve({});
  }

  /** A rejection handler that records the failure of `who` and stops the others. */
  private failed(who: string) {
    return (err: Error): null => {
      this.failure ??= new RunError(`${who} failed: ${err.message}`, { cause: err });
      this.control.abort();
      return null;
    };
  }

  /** @throws the recorded failure, if there is one. */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /**
   * Wait until every worker passed the start barrier.
   * @throws RunError after `timeoutMs`, or a worker's failure.
   */
  async started(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.control.started) {
      this.check();
      if (performance.now() > deadline) throw new RunError(`start barrier: only ${this.control.arrived} of ${this.control.threads} workers started within ${timeoutMs} ms`);
      await sleep(2);
    }
  }

  /**
   * After the stop signal: every CPU's result and the background thread's columns.
   * @throws RunError when a worker failed or did not stop within `timeoutMs`.
   */
  async finish(timeoutMs: number): Promise<{ results: WorkerResult[]; background: Record<string, number> }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RunError(`workers did not stop within ${timeoutMs} ms of the stop signal (hung?)`)), timeoutMs);
    });
    try {
      const [results, background] = await Promise.race([Promise.all([Promise.all(this.cpus), this.background]), timeout]);
      this.check();
      return { results: results as WorkerResult[], background: background ?? {} };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stop the threads (also after a failure). */
  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}
