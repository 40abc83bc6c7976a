/**
 * `node dist/bench/bench-serve.js`: the bench as a long-lived process that
 * the gate drives, one request per line on stdin, one answer per line on
 * stdout (JSON). Each request is an `npm run bench` argument list; the answer
 * is what its runs measured, with nothing written to disk. Keeping the
 * process (and its parsed traces) alive makes an ABBA block cost its runs,
 * not four Node start-ups and four sets of charts.
 *
 * Protocol (one JSON object per line):
 *   request  `{"id": 3, "argv": ["--strategy", "per-cpu-areas", ...]}`
 *   answer   `{"id": 3, "ok": true, "runs": [ServedRun...]}`
 *            `{"id": 3, "ok": false, "code": 2, "error": "..."}` (2: bad input, 1: a run failed)
 * The first line written is `{"ready": true, "protocol": 1}`.
 */
import { createInterface } from 'node:readline';
import { InputError } from '../base/errors.js';
import type { FragmentationRow, ThroughputRow } from '../export/columns.js';
import { machineFacts } from '../export/machine.js';
import { runJob } from '../run/job.js';
import type { Progress } from '../run/progress.js';
import { parseBenchArgs } from './bench-args.js';
import { loadStrategies } from './bench-inputs.js';
import { prepareJob } from './job-spec.js';

/** Version of the line protocol; the gate refuses a base that speaks another. */
export const SERVE_PROTOCOL = 1;

/** What one run measured, as the gate reads it: its throughput row, failures by size and pool samples. */
export interface ServedRun {
  row: ThroughputRow;
  /** Full failures by mapping size (bytes, as text) -> count. */
  failuresBySize: Record<string, number>;
  fragmentation: FragmentationRow[];
}

/** A request of the protocol. */
interface Request {
  id: number;
  argv: string[];
}

const SILENT: Progress = { start() {}, runStarted() {}, runFinished() {}, stop() {} };

/** The runs of one bench argument list, in the bench's order, with nothing written. */
async function runArgv(argv: string[], cores: number): Promise<ServedRun[]> {
  const opts = parseBenchArgs(argv);
  const { job } = await prepareJob(opts, await loadStrategies(opts), cores);
  const outcomes = await runJob(job, SILENT);
  return outcomes.map((o) => ({ row: o.row, failuresBySize: o.failuresBySize, fragmentation: o.fragmentation }));
}

/** Parse one request line. @throws InputError naming what is wrong. */
function parseRequest(line: string): Request {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new InputError(`bench-serve: request is not JSON: ${line.slice(0, 80)}`);
  }
  const r = value as Partial<Request>;
  if (typeof r?.id !== 'number' || !Array.isArray(r.argv) || !r.argv.every((a) => typeof a === 'string')) {
    throw new InputError('bench-serve: a request is {"id": number, "argv": [string...]}');
  }
  return r as Request;
}

/**
 * Serve requests from `input` until it ends, answering on `write`. Requests
 * run one at a time, in order. Never throws for a bad request or a failed
 * run: the answer carries the error.
 */
export async function serveBench(input: NodeJS.ReadableStream, write: (line: string) => void): Promise<void> {
  const cores = machineFacts().cores;
  write(JSON.stringify({ ready: true, protocol: SERVE_PROTOCOL }));
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    let id = -1;
    try {
      const req = parseRequest(line);
      id = req.id;
      const runs = await runArgv(req.argv, cores);
      write(JSON.stringify({ id, ok: true, runs }));
    } catch (err) {
      const e = err as Error & { code?: unknown; exitCode?: number };
      const bad = err instanceof InputError || e.exitCode !== undefined || e.name === 'CommanderError';
      write(JSON.stringify({ id, ok: false, code: bad ? 2 : 1, error: e.message }));
    }
  }
}
