/** `npm run merge`: the shards of one sharded bench as one result directory (src/cli/merge-command.ts). Exit codes: 0 ok, 1 failure, 2 bad input. */
import { mergeMain } from '../src/cli/merge-command.js';

process.exitCode = await mergeMain(process.argv.slice(2));
