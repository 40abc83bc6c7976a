/**
 * Writing a gate's result directory (gate.md, gate.json, bencher.json,
 * benchmark-bigger.json, benchmark-smaller.json), staged and renamed like
 * every result, and appending gate.md to GitHub's job summary when
 * `GITHUB_STEP_SUMMARY` names one.
 */
import { appendFileSync, statSync } from 'node:fs';
import { actionBenchmarkJson, bencherJson, gateMarkdown } from '../analysis/gate-output.js';
import type { GateResult } from '../analysis/gate-result.js';
import { ResultDir } from '../export/result-dir.js';

/** GitHub's limit on one step's summary: 1 MiB. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

/** The files of a gate result, by name. */
export function gateFiles(r: GateResult): [string, string][] {
  const gab = actionBenchmarkJson(r);
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return [
    ['gate.md', gateMarkdown(r)],
    ['gate.json', json(r)],
    ['bencher.json', json(bencherJson(r))],
    ['benchmark-bigger.json', json(gab.bigger)],
    ['benchmark-smaller.json', json(gab.smaller)],
  ];
}

/** Write the result directory under `root`; returns its path. */
export async function writeGateResult(root: string, r: GateResult): Promise<string> {
  const dir = await ResultDir.create(root, 'gate');
  const { path } = await dir.publish(async () => {
    for (const [name, text] of gateFiles(r)) await dir.write(name, text);
  });
  return path;
}

/**
 * Append `markdown` to the file `GITHUB_STEP_SUMMARY` names, cut to what
 * fits under the 1 MiB limit (with a line saying where the rest is).
 * Returns what happened, for the console; nothing when the variable is unset.
 */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv, where: string): string | undefined {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return undefined;
  const used = (() => { try { return statSync(file).size; } catch { return 0; } })();
  const room = STEP_SUMMARY_LIMIT - used - 1024;
  let text = markdown;
  if (Buffer.byteLength(text) > room) {
    const note = `\n\n_(cut here to stay under GitHub's 1 MiB job summary limit; the whole report is ${where}/gate.md)_\n`;
    text = Buffer.from(text).subarray(0, Math.max(0, room - Buffer.byteLength(note))).toString('utf8').replace(/\uFFFD+$/, '') + note;
  }
  if (room <= 0) return `GITHUB_STEP_SUMMARY ${file} is full; gate.md not appended`;
  appendFileSync(file, text);
  return `gate.md appended to GITHUB_STEP_SUMMARY (${Buffer.byteLength(text)} bytes)`;
}
