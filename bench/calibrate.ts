/** `npm run calibrate`: measure the virtual-time engine's cost terms here and write a calibration file (src/cli/calibrate-command.ts). */
import { calibrateMain } from '../src/cli/calibrate-command.js';

await calibrateMain(process.argv.slice(2));
