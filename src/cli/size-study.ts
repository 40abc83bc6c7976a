/**
 * The study behind `npm run size`: for each (workload, strategy, CPUs), the
 * smallest static pool with no "swiotlb buffer is full" failure and the one
 * under --max-failure-rate, by bisection over the pools the kernel's rounding
 * can produce, largest over the seeds; growing strategies are replayed from
 * the kernel's 64 MiB default instead. Probes run on a piscina pool (one
 * worker thread per --jobs); the real-thread check runs after them, alone.
 */
import { availableParallelism, totalmem } from 'node:os';
import { Piscina } from 'piscina';
import { InputError } from '../base/errors.js';
import { builtFile } from '../base/paths.js';
import { bisectPool, scanPools } from '../analysis/pool-search.js';
import { IO_TLB_SIZE } from '../model/constants.js';
import { DEFAULT_POOL_SLOTS } from '../model/pool-sizing.js';
import { isGeneratedWorkload } from '../../workloads/index.js';
import { parseBenchArgs } from './bench-args.js';
import { buildSchedules, loadStrategies, planAll } from './bench-inputs.js';
import { type Candidate, type ProbeResult, type SizingAnswer, answerWords, mib } from '../export/sizing-answer.js';
import { type ProbeTask, runRealCheck } from './size-probe.js';
import type { SizeOptions } from './size-options.js';

/** The pools searched: 2^k slots for k = 7..19 (256 KiB to 1 GiB), before each strategy's rounding. */
export const SEARCH_REQUESTS = Array.from({ length: 13 }, (_, i) => 2 ** (7 + i));
/** The largest pool searched, slots (1 GiB, the CoCo heuristic's cap). */
export const SEARCH_MAX_SLOTS = SEARCH_REQUESTS[SEARCH_REQUESTS.length - 1];

/** Options of the study beyond the declared ones. */
export interface StudySettings {
  /** Probe every candidate instead of bisecting (tests; checks monotonicity). */
  scan?: boolean;
  log: (line: string) => void;
  /** Called with each cell's answer as it is found (before the real-thread checks), in the order they finish. */
  onAnswer?: (answer: SizingAnswer) => Promise<void>;
}

/** Extra bench options every probe gets. */
function benchArgv(o: SizeOptions): string[] {
  return [...(o.calibration ? ['--calibration', o.calibration] : []), '--kernel-rules', o.kernelRules];
}

/**
 * The distinct pools `strategy` plans at `cpus` for each search request,
 * ascending; requests the strategy refuses with an InputError (too small for
 * its nodes) are left out.
 * @throws InputError for an unknown strategy, and the last refusal when the strategy refuses every request.
 */
export async function candidatePools(strategy: string, cpus: number, argv: string[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  let refusal: InputError | undefined;
  const argsFor = (requestSlots: number) => parseBenchArgs(['--engine', 'sim', '--strategy', strategy, '--threads', String(cpus), '--pool', String(requestSlots), ...argv]);
  // Loaded once: only the plan depends on the pool asked for.
  const loaded = await loadStrategies(argsFor(SEARCH_REQUESTS[0]));
  for (const requestSlots of SEARCH_REQUESTS) {
    const opts = argsFor(requestSlots);
    try {
      const plan = planAll(loaded, opts)(loaded[0].strategy, cpus);
      if (out.length === 0 || plan.nslabs > out[out.length - 1].slots) out.push({ requestSlots, slots: plan.nslabs, nareas: plan.nareas });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      refusal = err;
    }
  }
  if (out.length === 0) throw refusal!;
  return out;
}

/** Per `strategy/cpus`: whether the strategy grows its pools (its plan has a memory budget: replayed, not searched), and the static candidates. */
type Layouts = Map<string, { dynamic: boolean; candidates: Candidate[] }>;

/**
 * Every (strategy, CPUs) planned on the main thread before any probe, so a
 * layout the strategy refuses is bad input (exit 2), not a failed worker.
 * @throws InputError naming the strategy, CPU count and the refusal.
 */
async function planLayouts(o: SizeOptions, argv: string[]): Promise<Layouts> {
  const out: Layouts = new Map();
  for (const strategy of o.strategy) {
    const argsFor = (cpus: number) => parseBenchArgs(['--engine', 'sim', '--strategy', strategy, '--threads', String(cpus), '--max-pool', String(o.maxPool), ...argv]);
    const loaded = await loadStrategies(argsFor(o.threads[0]));
    for (const cpus of o.threads) {
      const opts = argsFor(cpus);
      const dynamic = planAll(loaded, opts)(loaded[0].strategy, cpus).maxPoolSlots !== undefined;
      out.set(`${strategy}/${cpus}`, { dynamic, candidates: dynamic ? [] : await candidatePools(strategy, cpus, argv) });
    }
  }
  return out;
}

export type Probe = (t: ProbeTask) => Promise<ProbeResult>;

/**
 * The static answer of one cell: per seed a bisection (or scan) for no failures, then one under the rate below it;
 * each answer the largest over the seeds (undefined when a seed fails at every candidate).
 */
export async function sizeStatic(base: Omit<ProbeTask, 'seed' | 'poolSlots'>, seeds: number[], candidates: Candidate[], rate: number, probe: Probe, scan: boolean) {
  let probes = 0;
  let worst = -1;
  let worstRate = -1;
  let at: ProbeResult | undefined;
  let atSeed = seeds[0];
  const nonMonotone: number[] = [];
  for (const seed of seeds) {
    const cache = new Map<number, ProbeResult>();
    const run = async (i: number) => {
      let r = cache.get(i);
      if (r === undefined) {
        r = await probe({ ...base, seed, poolSlots: candidates[i].requestSlots });
        cache.set(i, r);
        probes++;
      }
      return r;
    };
    const none = async (i: number) => (await run(i)).failures === 0;
    const under = async (i: number) => {
      const r = await run(i);
      return r.failures <= rate * r.attempts;
    };
    const n = candidates.length;
    let zero: number;
    let low: number;
    if (scan) {
      const all = await scanPools(n, none);
      if (!all.monotone) nonMonotone.push(seed);
      zero = all.index;
      low = (await scanPools(Math.min(zero + 1, n), under)).index;
    } else {
      // After the first seed only a larger answer matters: one probe at the largest so far says whether to look above it.
      if (worst < 0) zero = await bisectPool(n, none);
      else if (worst >= n || (await none(worst))) zero = worst;
      else zero = await bisectPool(n, none, worst + 1);
      // Failures under the rate need no more pool than none at all: below `zero` only.
      const top = Math.min(zero, n);
      if (worstRate < 0) low = await bisectPool(top, under);
      else if (worstRate >= top || (await under(worstRate))) low = Math.min(worstRate, top);
      else low = await bisectPool(top, under, worstRate + 1);
    }
    if (zero > worst) {
      worst = zero;
      at = zero < candidates.length ? cache.get(zero) : undefined;
      atSeed = seed;
    }
    worstRate = Math.max(worstRate, low);
  }
  return { minPool: candidates[worst], ratePool: candidates[worstRate], at, atSeed, probes, nonMonotone };
}

/** The dynamic answer of one cell: one replay per seed from the kernel's default pool. */
async function sizeDynamic(base: Omit<ProbeTask, 'seed' | 'poolSlots'>, seeds: number[], probe: Probe) {
  const runs = await Promise.all(seeds.map(async (seed) => ({ seed, r: await probe({ ...base, seed, poolSlots: DEFAULT_POOL_SLOTS }) })));
  const worst = runs.reduce((a, b) => (b.r.failures > a.r.failures ? b : a));
  const max = (f: (r: ProbeResult) => number) => Math.max(...runs.map((x) => f(x.r)));
  const dynamic = {
    failures: max((r) => r.failures), attempts: worst.r.attempts, hiwaterSlots: max((r) => r.hiwaterSlots),
    peakMemoryBytes: max((r) => r.poolSlots * IO_TLB_SIZE + (r.peakReservedBytes ?? 0)), growths: max((r) => r.growths ?? 0), transientPools: max((r) => r.transientPools ?? 0),
    noFit: worst.r.transientNoFit ?? 0, noPages: worst.r.transientAllocFailed ?? 0, oversize: worst.r.oversizeRejects ?? 0,
  };
  return { at: worst.r, atSeed: worst.seed, dynamic, probes: runs.length };
}

/** Run `tasks` at most `limit` at a time, keeping their order in the result. */
async function limited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return out;
}

/**
 * Size every (workload, strategy, CPUs) of `o`.
 * @throws InputError for bad names or options; RunError or Error from a probe or the real check.
 */
export async function runSizing(o: SizeOptions, settings: StudySettings): Promise<SizingAnswer[]> {
  const argv = benchArgv(o);
  // Names, trace files and options checked here, before any worker: an error inside a worker loses its kind (exit 2).
  for (const workload of o.workload) await buildSchedules(parseBenchArgs(['--workload', workload, '--threads', String(Math.min(...o.threads)), ...argv]));
  const layouts = await planLayouts(o, argv);
  // A worker's heap gets its share of 70% of the memory, so running out is a failed task with the message below
  // rather than V8's default limit. (The abort once seen here at 8.3 GB, net-rx-mtu9000 at 256 CPUs, was dynamic
  // growth keeping a view per transient pool per virtual CPU; since fixed, that probe needs under 2 GB.)
  const heapMiB = Math.floor((totalmem() / 2 ** 20) * 0.7 / o.jobs);
  const pool = new Piscina<ProbeTask, ProbeResult>({ filename: builtFile('src', 'cli', 'size-probe.js'), minThreads: o.jobs, maxThreads: o.jobs, idleTimeout: 1000, resourceLimits: { maxOldGenerationSizeMb: heapMiB } });
  const probe: Probe = async (t) => {
    try {
      return await pool.run(t);
    } catch (err) {
      const e = err as Error & { code?: string };
      const what = `${t.workload}, ${t.strategy}, ${t.cpus} CPUs at ${mib(t.poolSlots)} MiB (seed ${t.seed})`;
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') throw new Error(`${what}: the probe ran out of memory (${heapMiB} MiB of heap per worker); run with --jobs 1 to give one probe all of it`);
      throw new Error(`${what}: ${e.message}`, { cause: err });
    }
  };
  try {
    const cells: (() => Promise<SizingAnswer>)[] = [];
    for (const workload of o.workload) {
      const seeds = isGeneratedWorkload(workload) ? o.seeds : [o.seeds[0]];
      for (const strategy of o.strategy) {
        // Largest CPU counts first, so the longest cells start first.
        for (const cpus of [...o.threads].sort((a, b) => b - a)) {
          const { dynamic, candidates } = layouts.get(`${strategy}/${cpus}`)!;
          cells.push(async () => {
            const t0 = performance.now();
            const base = { strategy, workload, cpus, passes: o.passes, argv, maxPoolSlots: dynamic ? o.maxPool : undefined };
            const head = { workload, strategy, cpus, searchedUpToSlots: candidates.at(-1)?.slots ?? 0, seeds: isGeneratedWorkload(workload) ? seeds : ('trace' as const), nonMonotone: [] as number[] };
            let answer: SizingAnswer;
            if (dynamic) {
              const d = await sizeDynamic(base, seeds, probe);
              answer = { ...head, kind: 'dynamic', at: d.at, dynamic: d.dynamic, probes: d.probes, seed: d.atSeed };
            } else {
              const s = await sizeStatic(base, seeds, candidates, o.maxFailureRate, probe, o.scan || (settings.scan ?? false));
              answer = { ...head, kind: 'static', floorSlots: candidates[0]?.slots, minPool: s.minPool, ratePool: s.ratePool, at: s.at, probes: s.probes, nonMonotone: s.nonMonotone, seed: s.atSeed };
            }
            settings.log(`${workload}, ${strategy}, ${cpus} CPU${cpus > 1 ? 's' : ''}: ${answerWords(answer)} (${answer.probes} replays, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
            await settings.onAnswer?.(answer);
            return answer;
          });
        }
      }
    }
    const order = (a: SizingAnswer) => [o.workload.indexOf(a.workload), o.strategy.indexOf(a.strategy), a.cpus];
    const answers = (await limited(cells, o.jobs)).sort((x, y) => {
      const [p, q] = [order(x), order(y)];
      return p[0] - q[0] || p[1] - q[1] || p[2] - q[2];
    });
    await realChecks(answers, o, argv, settings.log);
    return answers;
  } finally {
    await pool.destroy();
  }
}

/** Real threads at the sim-found pool, for the static answers at CPU counts this machine has cores for. */
async function realChecks(answers: SizingAnswer[], o: SizeOptions, argv: string[], log: (line: string) => void): Promise<void> {
  if (o.checkDuration === 0) return;
  const cores = availableParallelism();
  for (const a of answers) {
    if (a.kind !== 'static' || !a.minPool || a.cpus > cores) continue;
    a.real = await runRealCheck({ strategy: a.strategy, workload: a.workload, cpus: a.cpus, seed: a.seed, poolSlots: a.minPool.requestSlots, passes: 1, argv }, o.checkDuration);
    log(`real threads, ${a.workload}, ${a.strategy}, ${a.cpus} CPU${a.cpus > 1 ? 's' : ''} at ${mib(a.minPool.slots)} MiB: ${a.real.failures} failures in ${a.real.attempts} map attempts`);
  }
}
