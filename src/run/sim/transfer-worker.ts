/**
 * One of the two threads of `npm run calibrate`'s line-transfer measurement
 * (measure-transfer.ts): moves one cache line back and forth with the other
 * thread. Posts the ns per round it measured.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface Task {
  side: 0 | 1;
  rounds: number;
  memory: WebAssembly.Memory;
  /** Byte offsets in `memory`: the ping-pong word and a start flag both wait on. */
  word: number;
  start: number;
}

const t = workerData as Task;
const words = new Int32Array(t.memory.buffer);
const start = t.start >> 2;
// Both sides in, then go: neither times the other's start-up.
Atomics.add(words, start, 1);
while (Atomics.load(words, start) < 2);
const t0 = performance.now();
const w = t.word >> 2;
for (let i = 0; i < t.rounds; i++) {
  const mine = 2 * i + t.side;
  while (Atomics.load(words, w) !== mine);
  Atomics.store(words, w, mine + 1);
}
parentPort!.postMessage(((performance.now() - t0) * 1e6) / t.rounds);
