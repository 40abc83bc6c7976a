/**
 * .github/workflows/bench.yml (docs/ci.md): valid against SchemaStore's GitHub
 * workflow schema (vendored in test/fixtures/schemas/, no network), broken
 * copies of it refused, and the project's own facts about it: the PR gate, its
 * exit status, the artifact uploads, the sharded sweep and its merge. The two
 * scripts whose logic matters (the gate step, the shard plan) run under bash.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/base/paths.js';
import { FIXTURES, tempDir } from '../helpers.js';

const WORKFLOW = join(projectRoot(), '.github', 'workflows', 'bench.yml');
const SCHEMA = join(FIXTURES, 'schemas', 'github-workflow.json');

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  'runs-on'?: string;
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  strategy?: { matrix?: Record<string, unknown> };
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** SchemaStore marks github-workflow.json not ajv-strict (src/schema-validation.jsonc), as SchemaStore's own CI compiles it. */
const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);

/** YAML text to data; syntax errors and warnings (duplicate keys, tabs...) throw, as GitHub refuses such files. */
function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) throw new Error(problems.map((e) => e.message).join('\n'));
  return doc.toJS();
}

/** Schema errors, innermost first, as `path: message` lines (the oneOf branches a job or step tried add noise above them). */
function schemaErrors(data: unknown): string[] {
  if (validate(data)) return [];
  const errors = [...(validate.errors ?? [])] as ErrorObject[];
  errors.sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length);
  return errors.map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
}

/** Replace the first occurrence of `from` in `text`, failing when there is none (so a mutation cannot silently miss). */
function replaceOnce(text: string, from: string | RegExp, to: string): string {
  if (typeof from === 'string' ? !text.includes(from) : text.search(from) < 0) throw new Error(`mutation target not found: ${String(from)}`);
  return text.replace(from, to);
}

const text = readFileSync(WORKFLOW, 'utf8');
const wf = parseYaml(text) as Workflow;
const steps = (job: string): Step[] => wf.jobs[job]?.steps ?? [];
const needs = (job: string): string[] => [wf.jobs[job]?.needs ?? []].flat();
const runs = (job: string): string[] => steps(job).flatMap((s) => (s.run === undefined ? [] : [s.run]));
const stepUsing = (job: string, action: string): Step[] => steps(job).filter((s) => s.uses?.startsWith(`${action}@`));
/** The one step whose `run` contains `needle`. */
function stepRunning(job: string, needle: string): Step {
  const found = steps(job).filter((s) => s.run?.includes(needle));
  expect(found, `${job}: one step running ${needle}`).toHaveLength(1);
  return found[0]!;
}

/** Run a step's script as GitHub's `shell: bash` does (bash --noprofile --norc -eo pipefail), with `env` and a GITHUB_OUTPUT file. */
function runStep(script: string, env: Record<string, string>, pathPrefix?: string): { code: number; out: Record<string, string>; stdout: string } {
  expect(script, 'a script run here must not depend on ${{ }} expressions').not.toContain('${{');
  const dir = tempDir('workflow-step');
  const output = join(dir, 'github-output');
  writeFileSync(output, '');
  const file = join(dir, 'step.sh');
  writeFileSync(file, script);
  const PATH = pathPrefix ? `${pathPrefix}:${process.env.PATH ?? ''}` : (process.env.PATH ?? '');
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd: dir, encoding: 'utf8', env: { PATH, HOME: dir, GITHUB_OUTPUT: output, ...env }, timeout: 30_000 });
  if (r.error) throw r.error;
  const out: Record<string, string> = {};
  for (const line of readFileSync(output, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { code: r.status ?? -1, out, stdout: r.stdout + r.stderr };
}

describe('bench.yml against the GitHub workflow schema', () => {
  it('is valid YAML and a valid workflow', () => {
    expect(schemaErrors(wf)).toEqual([]);
  });

  // Each broken copy differs from the valid file by one edit, so its rejection is that edit's.
  const brokenText: [string, (t: string) => string][] = [
    ['a job without runs-on', (t) => replaceOnce(t, /\n {4}runs-on: ubuntu-latest\n/, '\n')],
    ['a misspelled job key (step: for steps:)', (t) => replaceOnce(t, '\n    steps:\n', '\n    step:\n')],
    ['a misspelled step key (with-: for with:)', (t) => replaceOnce(t, '\n        with:\n', '\n        with-:\n')],
    ['a misspelled top-level key (job: for jobs:)', (t) => replaceOnce(t, '\njobs:\n', '\njob:\n')],
    ['a permission level that does not exist', (t) => replaceOnce(t, '  contents: read\n', '  contents: readonly\n')],
    ['a job id starting with a digit', (t) => replaceOnce(t, '\n  merge:\n', '\n  2merge:\n')],
    ['timeout-minutes as words', (t) => replaceOnce(t, 'timeout-minutes: 60', 'timeout-minutes: sixty')],
  ];
  it.each(brokenText)('refuses %s', (_, edit) => {
    const broken = edit(text);
    expect(broken).not.toBe(text);
    expect(schemaErrors(parseYaml(broken)).length).toBeGreaterThan(0);
  });

  it('refuses a step with both uses and run, and a schedule that is not a list', () => {
    const both = structuredClone(wf);
    both.jobs.gate!.steps[0]!.run = 'echo';
    expect(schemaErrors(both).length).toBeGreaterThan(0);
    const cron = structuredClone(wf);
    cron.on.schedule = '17 3 * * *';
    expect(schemaErrors(cron).length).toBeGreaterThan(0);
  });

  it('refuses a duplicate key and a tab in the YAML itself', () => {
    expect(() => parseYaml(replaceOnce(text, '    timeout-minutes: 60\n', '    timeout-minutes: 60\n    timeout-minutes: 30\n'))).toThrow(/unique|duplicate/i);
    expect(() => parseYaml(replaceOnce(text, '\n    runs-on: ubuntu-latest\n', '\n\truns-on: ubuntu-latest\n'))).toThrow();
  });
});

describe('bench.yml: what this project needs of it', () => {
  it('runs on pull requests, nightly and by hand, with read-only contents', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'schedule', 'workflow_dispatch']);
    expect(wf.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \*$/) }]);
    expect(wf.permissions).toEqual({ contents: 'read' });
  });

  it('pins every action to a major version: checkout, setup-node, upload- and download-artifact v4', () => {
    const uses = Object.values(wf.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    expect(uses.length).toBeGreaterThan(0);
    expect(new Set(uses)).toEqual(new Set(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4', 'actions/download-artifact@v4']));
    for (const job of Object.keys(wf.jobs)) {
      if (stepUsing(job, 'actions/setup-node').length === 0) continue;
      expect(stepUsing(job, 'actions/setup-node')[0]!.with, job).toMatchObject({ 'node-version': 20, cache: 'npm' });
      expect(runs(job), job).toContain('npm ci');
    }
  });

  it('gate: a pull request, full history, npm run gate -- --base on the merge base, one gate per PR at a time', () => {
    const gate = wf.jobs.gate!;
    expect(gate.if).toBe("github.event_name == 'pull_request'");
    expect(gate.concurrency?.group).toContain('github.event.pull_request.number');
    expect(gate.concurrency?.['cancel-in-progress']).toBe(true);
    expect(stepUsing('gate', 'actions/checkout')[0]!.with).toMatchObject({ 'fetch-depth': 0 });
    const base = stepRunning('gate', 'git merge-base');
    expect(base.run).toContain('git merge-base "origin/$BASE_REF" HEAD');
    expect(base.env).toEqual({ BASE_REF: '${{ github.base_ref }}' });
    const run = stepRunning('gate', 'npm run gate -- --base');
    expect(run.env).toEqual({ BASE_SHA: `\${{ steps.${base.id}.outputs.sha }}` });
    expect(run.run).toContain('npm run gate -- --base "$BASE_SHA"');
    expect(run.if, 'the gate step runs only when everything before it worked').toBeUndefined();
  });

  it('gate: the job fails exactly when npm run gate exits non-zero (the step run under bash with a stub npm)', () => {
    const script = stepRunning('gate', 'npm run gate -- --base').run!;
    const bin = tempDir('stub-npm');
    writeFileSync(join(bin, 'npm'), '#!/bin/sh\necho "npm $*"\nexit "$STUB_EXIT"\n');
    chmodSync(join(bin, 'npm'), 0o755);
    for (const code of [0, 1, 2, 3]) {
      const r = runStep(script, { BASE_SHA: 'abc123', STUB_EXIT: String(code) }, bin);
      expect(r.code, r.stdout).toBe(code);
      expect(r.stdout).toContain('npm run gate -- --base abc123');
      if (code === 1) expect(r.stdout).toContain('::error title=bench gate::confirmed regression');
      if (code >= 2) expect(r.stdout).toContain('::error title=bench gate::harness failure');
    }
  });

  it('gate: leaves the step summary to the gate, and uploads the real result directory with if: always()', () => {
    for (const job of Object.keys(wf.jobs)) expect(runs(job).join('\n'), `${job} must not write the summary the gate writes`).not.toContain('GITHUB_STEP_SUMMARY');
    const upload = stepUsing('gate', 'actions/upload-artifact');
    expect(upload).toHaveLength(1);
    expect(upload[0]!.if).toBe('always()');
    const locate = steps('gate').find((s) => s.id !== undefined && upload[0]!.with?.path === `\${{ steps.${s.id}.outputs.dir }}`);
    expect(locate?.if, 'the step resolving the directory runs even after a failed gate').toBe('always()');
    expect(locate?.run).toContain('readlink -f results/latest');
  });

  it('no upload takes a path ending in latest: upload-artifact does not upload a symlink to a directory', () => {
    for (const [name, job] of Object.entries(wf.jobs)) {
      for (const s of job.steps.filter((x) => x.uses?.startsWith('actions/upload-artifact@'))) {
        expect(String(s.with?.path), name).not.toMatch(/latest\/?$/);
        expect(String(s.with?.path), name).toMatch(/^\$\{\{ steps\.\w+\.outputs\.dir \}\}$/);
      }
    }
  });

  /** The sweep's matrix of shards and the N of the --shard i/N it passes, both from the plan job's script run under bash. */
  function sweepShards(inputs: string | undefined): { matrix: unknown; n: number } {
    const bench = stepRunning('sweep', 'npm run bench -- --shard');
    expect(bench.run).toMatch(/--shard \$\{\{ matrix\.shard \}\}\/\$\{\{ needs\.plan\.outputs\.count \}\}\s/);
    expect(wf.jobs.sweep!.strategy?.matrix).toEqual({ shard: '${{ fromJSON(needs.plan.outputs.shards) }}' });
    expect(needs('sweep')).toContain('plan');
    const plan = wf.jobs.plan!;
    const step = plan.steps.find((s) => plan.outputs?.shards === `\${{ steps.${s.id}.outputs.shards }}`)!;
    expect(plan.outputs?.count).toBe(`\${{ steps.${step.id}.outputs.count }}`);
    // The env expression `inputs.shards || D`: what it gives with and without the dispatch input.
    const fallback = /^\$\{\{ inputs\.shards \|\| (\d+) \}\}$/.exec(String(step.env?.SHARDS));
    expect(fallback, 'SHARDS: ${{ inputs.shards || DEFAULT }}').not.toBeNull();
    const r = runStep(step.run!, { SHARDS: inputs ?? fallback![1]! });
    expect(r.code, r.stdout).toBe(0);
    return { matrix: JSON.parse(r.out.shards!), n: Number(r.out.count) };
  }

  it('sweep: the matrix holds shards 1..N for the N that --shard i/N passes, nightly and by hand', () => {
    const dispatchDefault = (wf.on.workflow_dispatch as { inputs: { shards: { default: number; type: string } } }).inputs.shards;
    expect(dispatchDefault.type).toBe('number');
    for (const inputs of [undefined, String(dispatchDefault.default), '1', '7', '16']) {
      const { matrix, n } = sweepShards(inputs);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(matrix, `shards for input ${inputs ?? '(nightly)'}`).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      if (inputs !== undefined) expect(n).toBe(Number(inputs));
    }
    expect(sweepShards(undefined).n, 'the nightly count is the dispatch default').toBe(dispatchDefault.default);
  });

  it('sweep: a shard count out of 1..16 or not a whole number stops the plan', () => {
    const step = wf.jobs.plan!.steps.find((s) => s.id === 'plan')!;
    for (const bad of ['0', '17', '2.5', 'four', '-1', '']) {
      const r = runStep(step.run!, { SHARDS: bad });
      expect(r.code, `SHARDS=${bad}`).not.toBe(0);
      expect(r.out.shards).toBeUndefined();
    }
  });

  it('sweep: each shard writes under --out shards and uploads its real directory as shard-N', () => {
    const sweep = wf.jobs.sweep!;
    expect(sweep.strategy).toMatchObject({ 'fail-fast': false });
    const bench = stepRunning('sweep', 'npm run bench -- --shard');
    expect(bench.run).toMatch(/ --out shards(\s|$)/);
    const upload = stepUsing('sweep', 'actions/upload-artifact');
    expect(upload).toHaveLength(1);
    expect(upload[0]!.with?.name).toBe('shard-${{ matrix.shard }}');
    const locate = steps('sweep').find((s) => s.id !== undefined && upload[0]!.with?.path === `\${{ steps.${s.id}.outputs.dir }}`);
    expect(locate?.run).toContain('readlink -f shards/latest');
  });

  it('merge: after the sweep, downloads pattern shard-* into one directory each, runs npm run merge on them, uploads the result', () => {
    expect(needs('merge')).toContain('sweep');
    const download = stepUsing('merge', 'actions/download-artifact');
    expect(download).toHaveLength(1);
    const w = download[0]!.with ?? {};
    expect(w.pattern).toBe('shard-*');
    expect(w['merge-multiple'], 'each shard keeps its own directory').not.toBe(true);
    const merge = stepRunning('merge', 'npm run merge --');
    expect(merge.run).toContain(`npm run merge -- ${String(w.path)}/shard-*`);
    expect(stepUsing('merge', 'actions/upload-artifact')).toHaveLength(1);
  });

  it('the PR event runs only the gate, the sweep events only plan, sweep and merge', () => {
    expect(Object.keys(wf.jobs).sort()).toEqual(['gate', 'merge', 'plan', 'sweep']);
    expect(wf.jobs.plan!.if).toBe("github.event_name != 'pull_request'");
    // sweep and merge need plan (directly or through sweep), so a skipped plan skips them.
    expect(needs('sweep')).toEqual(['plan']);
    expect(needs('merge')).toEqual(['sweep']);
  });
});
