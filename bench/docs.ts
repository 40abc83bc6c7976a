/** `npm run docs`: rewrite the generated tables of docs/*.md from the option and column declarations (src/cli/docs-tables.ts). */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/base/paths.js';
import { fillBlocks } from '../src/cli/docs-tables.js';
import { writeFileAtomic } from '../src/export/result-dir.js';

const dir = join(projectRoot(), 'docs');
for (const name of readdirSync(dir).filter((f) => f.endsWith('.md'))) {
  const file = join(dir, name);
  const text = readFileSync(file, 'utf8');
  const filled = fillBlocks(text);
  if (filled !== text) {
    await writeFileAtomic(file, filled);
    console.log(`updated ${file}`);
  }
}
