/**
 * The fuzz runner: every mutated input (fuzz-cases.ts) read in a worker
 * thread with a memory limit and a time limit, and each ending classified as
 * `npm run bench` would end: `ok` (exit 0), `named` (bad input, exit 2, the
 * message naming the file and a line, byte offset, record or field), or
 * `other`: any other error (exit 1), a crash, running out of memory or time,
 * or bad input that does not say where. A harness that never crashes, hangs
 * or blames the wrong thing has nothing in `other`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { builtFile } from '../base/paths.js';
import type { FuzzCase } from './fuzz-cases.js';
import type { FuzzAnswer } from './fuzz-worker.js';

/** Limits of one case. */
export interface FuzzLimits {
  /** Longest a case may take, ms. */
  timeoutMs: number;
  /** Heap of the worker, MiB. */
  heapMiB: number;
}

export const DEFAULT_FUZZ_LIMITS: FuzzLimits = { timeoutMs: 10_000, heapMiB: 512 };

/** How one case ended. */
export interface FuzzResult {
  format: string;
  mutation: string;
  class: 'ok' | 'named' | 'other';
  /** The message (for `other`: what went wrong), and how long it took, ms. */
  message: string;
  ms: number;
  /** Where the input was written (kept for `other`). */
  file: string;
}

/** A bad-input message names the file and where: `FILE:LINE:`, `line N`, `byte offset N`, `record N` or a field. */
export function namesFileAndPlace(message: string, file: string): boolean {
  return message.includes(file) && /(:\d+:|line \d+|byte offset \d+|record \d+|field '[^']+')/.test(message);
}

/** One worker thread that reads the files it is sent; replaced after a crash or a timeout. */
class CheckWorker {
  private worker: Worker;

  constructor(private readonly limits: FuzzLimits) {
    this.worker = this.start();
  }

  private start(): Worker {
    return new Worker(builtFile('src', 'selfbench', 'fuzz-worker.js'), { resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMiB } });
  }

  /** Read `file` in the worker; `other` on a crash, memory exhaustion or timeout (the worker is then replaced). */
  async check(file: string): Promise<FuzzAnswer> {
    const w = this.worker;
    const answer = await new Promise<FuzzAnswer>((resolve) => {
      const timer = setTimeout(() => finish({ outcome: 'other', message: `no answer within ${this.limits.timeoutMs} ms (hang)` }, true), this.limits.timeoutMs);
      const onMessage = (a: FuzzAnswer) => finish(a, false);
      const onError = (err: Error) => finish({ outcome: 'other', message: `worker died: ${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}` }, true);
      const onExit = (code: number) => finish({ outcome: 'other', message: `worker exited with code ${code}` }, true);
      function finish(a: FuzzAnswer, dead: boolean) {
        clearTimeout(timer);
        w.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (dead) void w.terminate();
        resolve(a);
      }
      w.on('message', onMessage).on('error', onError).on('exit', onExit);
      w.postMessage(file);
    });
    if (this.worker === w && answer.outcome === 'other' && /hang|died|exited/.test(answer.message)) this.worker = this.start();
    return answer;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Run `cases` in `dir` (written one file each), `parallel` workers at a time.
 * Files of `ok` and `named` cases are removed; those of `other` are kept.
 */
export async function runFuzz(cases: readonly FuzzCase[], dir: string, parallel = 2, limits: FuzzLimits = DEFAULT_FUZZ_LIMITS): Promise<FuzzResult[]> {
  mkdirSync(dir, { recursive: true });
  const workers = Array.from({ length: parallel }, () => new CheckWorker(limits));
  const results: FuzzResult[] = new Array(cases.length);
  let next = 0;
  try {
    await Promise.all(workers.map(async (w) => {
      for (let k = next++; k < cases.length; k = next++) {
        const c = cases[k];
        const file = join(dir, `${String(k).padStart(5, '0')}-${c.mutation.replace(/[^a-z0-9+-]/gi, '_')}-${c.name}`);
        writeFileSync(file, c.bytes);
        const t0 = performance.now();
        const a = await w.check(file);
        const ms = performance.now() - t0;
        const cls = a.outcome === 'ok' ? 'ok' : a.outcome === 'input-error' && namesFileAndPlace(a.message, file) ? 'named' : 'other';
        results[k] = { format: c.format, mutation: c.mutation, class: cls, message: a.message, ms, file };
        if (cls !== 'other') rmSync(file, { force: true });
      }
    }));
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
  return results;
}

/** The table `npm run fuzz` prints: per format, cases and how they ended. */
export function fuzzTable(results: readonly FuzzResult[]): string[] {
  const formats = [...new Set(results.map((r) => r.format))];
  const row = (cells: (string | number)[]) => cells.map((c, i) => (i === 0 ? String(c).padEnd(20) : String(c).padStart(16))).join('');
  const out = [row(['format', 'cases', 'ok (exit 0)', 'exit 2, named', 'anything else', 'slowest ms'])];
  for (const f of [...formats, 'all']) {
    const rs = f === 'all' ? results : results.filter((r) => r.format === f);
    out.push(row([f, rs.length, rs.filter((r) => r.class === 'ok').length, rs.filter((r) => r.class === 'named').length, rs.filter((r) => r.class === 'other').length, Math.round(Math.max(...rs.map((r) => r.ms)))]));
  }
  return out;
}
