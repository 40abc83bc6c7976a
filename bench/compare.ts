/** `npm run compare`: runs side by side (src/cli/compare-command.ts). Exit codes: 0 ok, 1 failure, 2 bad input. */
import { compareMain } from '../src/cli/compare-command.js';

process.exitCode = await compareMain(process.argv.slice(2));
