/**
 * A parametric, fio-like NVMe workload for runs without a trace: one job per
 * CPU, each keeping `iodepth` I/Os in flight (closed loop), with a block size
 * or size split, a read/write mix and random or sequential offsets.
 */
import { InputError } from '../../src/base/errors.js';
import { type LatencyModel, modelLatencyNs } from '../latency-model.js';
import type { IoRequest } from '../types.js';
import { xorshift32 } from '../../src/stats/prng.js';
import { MAX_REQUEST_BYTES } from '../limits.js';

export interface GeneratorParams {
  /** `bs`: one block size, or fio `bssplit` form `4k/50:64k/50`. */
  bs: string;
  /** fio `rw`: read, write, randread, randwrite, rw (readwrite), randrw. */
  rw: string;
  /** Percentage of reads for mixed modes. */
  rwmixread: number;
  iodepth: number;
  /** I/Os generated per job (CPU); the replay loops over them. */
  iosPerJob: number;
  seed: number;
}

export const DEFAULT_GENERATOR: GeneratorParams = { bs: '4k', rw: 'randread', rwmixread: 70, iodepth: 32, iosPerJob: 4096, seed: 1 };
const RW_MODES = ['read', 'write', 'randread', 'randwrite', 'rw', 'readwrite', 'randrw'];
const DEVICE_BYTES = 2 ** 40;

/** Parse a size like `4k`, `128K`, `1m`, `512`: 1 byte to 1 GiB (MAX_REQUEST_BYTES). @throws InputError */
export function parseBlockSize(text: string, what: string): number {
  const m = /^(\d+)([kmg]?)i?b?$/i.exec(text.trim());
  if (!m) throw new InputError(`${what} '${text}': expected a size such as 4k, 128k or 512`);
  const unit = { '': 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bytes = Number(m[1]) * unit;
  if (!(bytes > 0 && bytes <= MAX_REQUEST_BYTES)) throw new InputError(`${what} '${text}': expected a size from 1 byte to 1g`);
  return bytes;
}

/**
 * Parse `bs`: a size, or fio's bssplit `size/pct:size/pct`. As in fio, the
 * percentages add up to 100, and sizes without one share what is left evenly.
 * @throws InputError naming the rule broken.
 */
export function parseBlockSplit(bs: string): { size: number; weight: number }[] {
  const parts = bs.split(':').map((part) => {
    const [size, pct] = part.split('/');
    if (pct !== undefined && !(pct.trim() !== '' && Number(pct) > 0 && Number(pct) <= 100)) throw new InputError(`--bs '${bs}': percentage '${pct}' of ${size} is not a number from 0 to 100`);
    return { size: parseBlockSize(size, '--bs'), weight: pct === undefined ? NaN : Number(pct) };
  });
  const given = parts.filter((p) => !Number.isNaN(p.weight)).reduce((sum, p) => sum + p.weight, 0);
  const blank = parts.filter((p) => Number.isNaN(p.weight));
  if (blank.length === 0 && Math.abs(given - 100) > 1e-9) throw new InputError(`--bs '${bs}': the percentages add up to ${given}, not 100 (fio's bssplit rule)`);
  if (blank.length > 0 && given >= 100) throw new InputError(`--bs '${bs}': the percentages add up to ${given}, leaving nothing for ${blank.map((p) => p.size).join(', ')} bytes`);
  for (const p of blank) p.weight = (100 - given) / blank.length;
  return parts;
}

/** Shape of a closed-loop block load: one job per CPU, `iodepth` in flight each. */
export interface ClosedLoop {
  jobs: number;
  iosPerJob: number;
  iodepth: number;
  seed: number;
  /** Share of reads, 0..1. */
  readShare: number;
  random: boolean;
  /** Draw one request size, bytes. */
  pickSize(rand: () => number): number;
}

/**
 * Generate `iosPerJob` I/Os for each job: each of the `iodepth` queue slots
 * submits its next I/O when the previous one completes (latency model).
 */
export function closedLoop(shape: ClosedLoop, latency: LatencyModel): IoRequest[] {
  const out: IoRequest[] = [];
  for (let job = 0; job < shape.jobs; job++) {
    const rand = xorshift32(shape.seed * 7919 + job + 1);
    const slotFree = new Array<number>(shape.iodepth).fill(0);
    let sequential = job * (DEVICE_BYTES / shape.jobs);
    for (let n = 0; n < shape.iosPerJob; n++) {
      const q = n % shape.iodepth;
      const size = shape.pickSize(rand);
      const offset = shape.random ? Math.floor((rand() * DEVICE_BYTES) / size) * size : sequential;
      sequential = (sequential + size) % DEVICE_BYTES;
      const write = rand() >= shape.readShare;
      const responseNs = modelLatencyNs(latency, size);
      out.push({ arrivalNs: slotFree[q], offset, size, write, responseNs, cpu: job });
      slotFree[q] += responseNs;
    }
  }
  return out;
}

/**
 * The fio-like generator: `bs` (size or bssplit), `rw`, `rwmixread`, `iodepth`.
 * @throws InputError for bad parameters.
 */
export function generateNvme(params: GeneratorParams, jobs: number, latency: LatencyModel): IoRequest[] {
  if (!RW_MODES.includes(params.rw)) throw new InputError(`--rw '${params.rw}': expected one of ${RW_MODES.join(', ')}`);
  if (!(params.rwmixread >= 0 && params.rwmixread <= 100)) throw new InputError(`--rwmixread ${params.rwmixread}: expected 0..100`);
  if (!(Number.isInteger(params.iodepth) && params.iodepth >= 1)) throw new InputError(`--iodepth ${params.iodepth}: expected an integer >= 1`);
  const split = parseBlockSplit(params.bs);
  const totalWeight = split.reduce((s, p) => s + p.weight, 0);
  return closedLoop({
    jobs,
    iosPerJob: params.iosPerJob,
    iodepth: params.iodepth,
    seed: params.seed,
    random: params.rw.startsWith('rand'),
    readShare: params.rw.endsWith('read') ? 1 : params.rw.endsWith('write') ? 0 : params.rwmixread / 100,
    pickSize: (rand) => {
      let pick = rand() * totalWeight;
      return (split.find((p) => (pick -= p.weight) < 0) ?? split[split.length - 1]).size;
    },
  }, latency);
}
