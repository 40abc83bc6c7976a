/**
 * Run a built module in a worker thread of its own (a fresh V8 isolate) and
 * return its one answer. The self-benchmarks time each strategy so: its
 * code then sees one allocator class and one WebAssembly instance, as a
 * worker of a real run does, and no call site turns polymorphic because
 * another strategy ran before it in the same process.
 */
import { Worker } from 'node:worker_threads';

/**
 * Start `file` (a built .js module that posts one message) with `data` as its
 * workerData; resolve with that message.
 * @throws the worker's error, or an Error when it exits without answering.
 */
export function inFreshThread<T>(file: string, data: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(file, { workerData: data });
    let answered = false;
    worker.once('message', (answer: T) => {
      answered = true;
      resolve(answer);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`${file} exited with code ${code} before answering`));
    });
  });
}
