/** `npm run gate:validate`: the gate's false alarms and misses measured on this machine (src/cli/gate-validate-command.ts). */
import { gateValidateMain } from '../src/cli/gate-validate-command.js';

process.exitCode = await gateValidateMain(process.argv.slice(2));
