/** `npm run calibrate`: measure the virtual-time engine's cost terms here and write a calibration file (src/cli/calibrate-command.ts). Exit codes: 0 ok, 1 failure, 2 bad input. */
import { calibrateMain } from '../src/cli/calibrate-command.js';

process.exitCode = await calibrateMain(process.argv.slice(2));
