/** `npm run proposals`: regenerate docs/proposals.md and its pictures (src/cli/proposals-command.ts). Exit codes: 0 ok, 1 failure, 2 bad input. */
import { proposalsMain } from '../src/cli/proposals-command.js';

process.exitCode = await proposalsMain(process.argv.slice(2));
