/** The bench as a long-lived process for the gate: JSON requests on stdin, answers on stdout (src/cli/bench-serve.ts). */
import { serveBench } from '../src/cli/bench-serve.js';

await serveBench(process.stdin, (line) => process.stdout.write(`${line}\n`));
