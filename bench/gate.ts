/** `npm run gate`: CI performance gating (src/cli/gate-command.ts). Exit codes: 0 no regression, 1 a measured regression, 2 harness failure or bad input. */
import { gateMain } from '../src/cli/gate-command.js';

process.exitCode = await gateMain(process.argv.slice(2));
