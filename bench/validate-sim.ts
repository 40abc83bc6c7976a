/** `npm run validate-sim`: the virtual-time engine against real threads on this machine (src/cli/validate-sim-command.ts). */
import { validateSimMain } from '../src/cli/validate-sim-command.js';

process.exitCode = await validateSimMain(process.argv.slice(2));
