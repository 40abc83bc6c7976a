/** `npm run size`: the smallest swiotlb pool per workload, strategy and CPU count (src/cli/size-command.ts). Exit codes: 0 ok, 1 failure, 2 bad input. */
import { sizeMain } from '../src/cli/size-command.js';

process.exitCode = await sizeMain(process.argv.slice(2));
