/**
 * `npm run conformance -- FILE...`: replay golden-vector files and print, per
 * file, ops replayed and mismatches, with the first mismatch in full.
 * Exit 0 when every file matches, 1 on any mismatch, 2 on unreadable input.
 */
import { ConformanceInputError, replayFile } from '../src/conformance.js';

function main(files: string[]): number {
  if (files.length === 0) {
    console.error('usage: npm run conformance -- FILE.jsonl [FILE.jsonl ...]');
    return 2;
  }
  let mismatched = false;
  let unreadable = false;
  for (const file of files) {
    try {
      const r = replayFile(file);
      const verdict = r.mismatches === 0 ? 'ok' : 'MISMATCH';
      console.log(`${verdict.padEnd(8)} ${file} [${r.rules}] ops=${r.ops} checks=${r.checks} mismatches=${r.mismatches}`);
      if (r.first) {
        mismatched = true;
        console.log(`  first mismatch at line ${r.first.line} (${r.first.op}${r.first.id !== undefined ? ` id ${r.first.id}` : ''}, field '${r.first.field}'):`);
        console.log(`    expected ${JSON.stringify(r.first.expected)}`);
        console.log(`    actual   ${JSON.stringify(r.first.actual)}`);
      }
    } catch (err) {
      if (!(err instanceof ConformanceInputError)) throw err;
      unreadable = true;
      console.log(`ERROR    ${err.message}`);
    }
  }
  return unreadable ? 2 : mismatched ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
