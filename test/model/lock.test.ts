/**
 * The two locks (`--lock`): both exclude, and the queued spinlock serves
 * waiters in the order they arrived (the kernel's qspinlock is FIFO), where
 * the futex mutex lets a newcomer barge. Real threads; worker code loads the
 * built modules (dist/), as the harness's workers do.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { builtFile } from '../../src/base/paths.js';
import { LOCK_KINDS, type LockKind, defaultLock, lockOps, newLockStats } from '../../src/model/lock.js';

const LOCK_MODULE = pathToFileURL(builtFile('src', 'model', 'lock.js')).href;

/** A worker that takes the lock `rounds` times: `body` runs inside (words: the shared Int32Array; id: the worker's). */
function worker(kind: LockKind, words: Int32Array, id: number, rounds: number, body: string): Promise<void> {
  const w = new Worker(
    `const { workerData: d, parentPort } = require('node:worker_threads');
     import(d.module).then(({ lockOps, newLockStats }) => {
       const lock = lockOps(d.kind); const stats = newLockStats(); const words = new Int32Array(d.buffer); const id = d.id;
       for (let r = 0; r < d.rounds; r++) { lock.acquire(words, 0, stats); ${body}; lock.release(words, 0); }
       parentPort.postMessage('done');
     });`,
    { eval: true, workerData: { module: LOCK_MODULE, kind, buffer: words.buffer, id, rounds } },
  );
  return new Promise((resolve, reject) => {
    w.once('message', () => void w.terminate().then(() => resolve()));
    w.once('error', reject);
  });
}

describe('locks', () => {
  // Two threads, so each has a core on the 2-core CI machine: a spinlock with more threads than cores convoys
  // whenever the OS preempts a waiter (which is why the harness's default there is the mutex).
  it.each(LOCK_KINDS)('%s: increments under the lock from 2 threads are never lost', async (kind) => {
    const words = new Int32Array(new SharedArrayBuffer(64));
    // A read, a pause and a write inside: without exclusion, increments are lost.
    const body = 'const v = words[8]; for (let i = 0; i < 20; i++) Atomics.load(words, 9); words[8] = v + 1';
    await Promise.all([0, 1].map((id) => worker(kind, words, id, 20_000, body)));
    expect(words[8]).toBe(40_000);
  });

  it('qspinlock: waiters enter in the order they queued', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const words = new Int32Array(new SharedArrayBuffer(64));
      const lock = lockOps('qspinlock');
      lock.acquire(words, 0, newLockStats()); // free: no waiting on the main thread
      const entered: Promise<void>[] = [];
      for (const id of [1, 2, 3]) {
        entered.push(worker('qspinlock', words, id, 1, 'words[8 + Atomics.add(words, 12, 1)] = id'));
        // Wait until this worker drew its ticket before starting the next.
        for (let waited = 0; Atomics.load(words, 0) < id + 1 && waited < 5000; waited += 5) await sleep(5);
      }
      lock.release(words, 0);
      await Promise.all(entered);
      expect([words[8], words[9], words[10]]).toEqual([1, 2, 3]);
    }
  });

  it('the default is the spinlock when every thread has a core, the parking mutex when threads outnumber cores', () => {
    expect(defaultLock(2, 2).kind).toBe('qspinlock');
    expect(defaultLock(3, 2)).toMatchObject({ kind: 'mutex', why: expect.stringMatching(/3 threads on 2 cores/) });
    expect(defaultLock(2, 2, 1).kind).toBe('mutex'); // a growth thread runs beside the CPUs
  });
});
