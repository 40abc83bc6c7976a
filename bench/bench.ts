/** `npm run bench`: the main job (src/cli/bench-command.ts). Exit codes: 0 ok, 1 a run failed, 2 bad input. */
import { benchMain } from '../src/cli/bench-command.js';

process.exitCode = await benchMain(process.argv.slice(2));
