/**
 * `bench:micro`'s thread for one strategy (micro-strategy.ts): workerData
 * { strategy, rounds, timeMs }; posts its StrategyRounds.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadStrategy } from '../../strategies/index.js';
import { strategyRounds } from './micro-strategy.js';

const { strategy, rounds, timeMs } = workerData as { strategy: string; rounds: number; timeMs: number };
parentPort!.postMessage(await strategyRounds(await loadStrategy(strategy), rounds, timeMs));
