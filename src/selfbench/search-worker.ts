/** `bench:search`'s thread for one file (search.ts searchFile): workerData { file, repetitions }; posts its SearchResult. */
import { parentPort, workerData } from 'node:worker_threads';
import { searchFile } from './search.js';

const { file, repetitions } = workerData as { file: string; repetitions: number };
parentPort!.postMessage(searchFile(file, repetitions));
