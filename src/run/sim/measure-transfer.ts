/**
 * `npm run calibrate`, the two-thread term (needs two cores): a cache line
 * moved between cores, half a ping-pong round trip of one word.
 */
import { Worker } from 'node:worker_threads';
import { median } from 'simple-statistics';
import { builtFile } from '../../base/paths.js';
import { DmaArena } from '../../model/dma-arena.js';

const ROUNDS = 5;

/** Run both sides of the ping-pong once; the ns per round of the slower side. */
async function pingPong(rounds: number): Promise<number> {
  const arena = new DmaArena();
  const word = arena.alloc(64);
  const start = arena.alloc(64);
  const file = builtFile('src', 'run', 'sim', 'transfer-worker.js');
  const sides = [0, 1].map((side) => new Promise<number>((resolve, reject) => {
    const w = new Worker(file, { workerData: { side, rounds, memory: arena.memory, word, start } });
    w.once('message', (ns: number) => {
      resolve(ns);
      void w.terminate();
    });
    w.once('error', reject);
  }));
  return Math.max(...(await Promise.all(sides)));
}

/** A cache line moved between two cores: half a ping-pong round trip, median of ROUNDS runs. */
export async function measureLineTransfer(): Promise<number> {
  const ping: number[] = [];
  for (let r = 0; r < ROUNDS; r++) ping.push((await pingPong(200_000)) / 2);
  return median(ping);
}
