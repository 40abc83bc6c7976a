/** `npm run conformance [-- FILE...]`: replay golden vectors (src/cli/conformance-command.ts). Exit 0 match, 1 mismatch, 2 unreadable. */
import { conformanceMain } from '../src/cli/conformance-command.js';

process.exitCode = conformanceMain(process.argv.slice(2));
