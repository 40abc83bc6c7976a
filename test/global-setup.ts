/** Before the test run: empty the scratch directory the tests write into (test/helpers.ts). */
import { rmSync } from 'node:fs';
import { SCRATCH } from './helpers.js';

export default function setup(): void {
  rmSync(SCRATCH, { recursive: true, force: true });
}
