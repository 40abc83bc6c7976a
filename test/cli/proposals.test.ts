/** `npm run proposals`: its options are checked before any job runs, and bad input writes nothing. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

describe('npm run proposals', () => {
  it('--help lists its options with their defaults', () => {
    const r = runCli('proposals', ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--repeat <n>[\s\S]*default: 5/);
    expect(r.stdout).toMatch(/--doc <file>[\s\S]*docs\/proposals\.md/);
  });

  it.each([
    [['--repeat', '0'], /expected a repeat count/],
    [['--duration', 'soon'], /expected seconds > 0/],
    [['--sim-maps', '10'], /expected a map count/],
  ])('%s is bad input: exit 2, no page written', (args, message) => {
    const doc = join(tempDir('proposals'), 'proposals.md');
    const r = runCli('proposals', [...args, '--doc', doc]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(doc)).toBe(false);
  });
});
