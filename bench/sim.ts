/** `npm run bench:sim`: the virtual-time engine's own speed at 256 CPUs x 1M pairs (src/cli/sim-bench-command.ts). */
import { simBenchMain } from '../src/cli/sim-bench-command.js';

await simBenchMain();
