/**
 * Runs one bench job of docs/proposals.md as `npm run bench` would (a child
 * process of the built entry point, its own results root) and reads back what
 * the page needs from summary.json. Progress lines pass through, prefixed.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtFile } from '../base/paths.js';
import type { ReferenceSummary } from '../analysis/reference.js';
import type { ThroughputRow } from '../export/columns.js';
import type { ProposalJob } from './proposals-jobs.js';

/** A finished job: its rows (measured or sim), the sim sweep's, the --reference ratios, and its result directory. */
export interface JobResult {
  rows: ThroughputRow[];
  predicted: ThroughputRow[];
  reference?: ReferenceSummary;
  dir: string;
}

/**
 * Run `job` with its results under `root/<key>/`.
 * @throws Error naming the job and its exit code, with its last output lines, when bench fails.
 */
export async function runJob(job: ProposalJob, root: string, log: (line: string) => void): Promise<JobResult> {
  const out = join(root, job.key);
  const args = [builtFile('bench', 'bench.js'), ...job.args, '--out', out, '--label', job.key, '--no-progress'];
  const tail: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter((l) => l.trim() !== '')) {
        tail.push(line);
        if (tail.length > 12) tail.shift();
        if (/^\[\d+\/\d+\]|^results:|^warning:/.test(line)) log(`  ${job.key}: ${line}`);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`proposals job ${job.key} (npm run bench -- ${job.args.join(' ')}) exited with ${code}:\n${tail.join('\n')}`);
  const dir = join(out, 'latest');
  const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as { throughput: ThroughputRow[]; predicted_scaling: ThroughputRow[]; reference?: ReferenceSummary };
  return { rows: summary.throughput, predicted: summary.predicted_scaling ?? [], reference: summary.reference, dir };
}
