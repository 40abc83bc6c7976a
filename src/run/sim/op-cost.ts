/**
 * What one map or unmap costs in virtual time (docs/sim.md, "Cost model"):
 * half the fixed cost, then each lock word and counter line the allocator
 * touched, in order (a held lock is waited for, FIFO; a line last touched by
 * another CPU is transferred, times the NUMA factor, and a line still moving
 * to another CPU is queued for, so CPUs hammering one counter serialise on
 * it; a lock that was waited for is handed off), the search and release work spread over the locks
 * taken (it runs under them), the copy (remote memory costs the NUMA factor
 * more), then the other half of the fixed cost.
 */
import type { CostTerms } from './calibration.js';
import type { Topology } from './topology.js';
import type { VirtualLines } from './virtual-lines.js';

/** Shares of virtual time, by cost term (virtual ns summed over the measured ops). */
export const BREAKDOWN = ['fixed', 'search', 'lock_wait', 'transfer', 'copy', 'remote'] as const;
/** Indexes into a breakdown accumulator. */
export const B = { fixed: 0, search: 1, lockWait: 2, transfer: 3, copy: 4, remote: 5 } as const;

/** The lines touched by the op being charged: keys (lock words even, counter lines odd), in order. */
export interface Touches {
  keys: Float64Array;
  n: number;
}

/** Charges ops against the shared lines of one run. */
export class OpCost {
  /** Virtual ns the last charged op waited for locks, and how many of its lock acquisitions waited. */
  lastWaitNs = 0;
  lastContended = 0;

  /** What a CPU's own work is multiplied by: 1 + corun_slowdown when other CPUs run, else 1. */
  private readonly own: number;

  constructor(
    private readonly terms: CostTerms,
    private readonly lines: VirtualLines,
    private readonly topo: Topology,
  ) {
    this.own = topo.nodeOf.length > 1 ? 1 + terms.corun_slowdown : 1;
  }

  /** How long after its start an op with fixed cost `fixedNs` reaches its first lock (virtual ns). */
  lead(fixedNs: number): number {
    return (fixedNs * this.own) / 2;
  }

  /**
   * Charge one op of CPU `cpu` starting at virtual `t` (ns). `fixedNs`: the
   * op's fixed cost; `workNs`: the search or release work (runs under the
   * locks taken); `copyNs`: the local copy; `remoteNs`: what remote memory
   * adds to it. Adds to `acc` (BREAKDOWN order) when given. Returns the end
   * time and leaves the lines held as the op left them.
   */
  charge(cpu: number, t: number, fixedNs: number, workNs: number, touches: Touches, copyNs: number, remoteNs: number, acc: Float64Array | null): number {
    const terms = this.terms;
    const own = this.own;
    fixedNs *= own;
    workNs *= own;
    copyNs *= own;
    remoteNs *= own;
    const lines = this.lines;
    const node = this.topo.nodeOf[cpu];
    let locks = 0;
    for (let k = 0; k < touches.n; k++) if (touches.keys[k] % 2 === 0) locks++;
    const hold = terms.lock_pair_ns * own + (locks > 0 ? workNs / locks : 0);
    let a = t + fixedNs / 2;
    let wait = 0;
    let contended = 0;
    let transfer = 0;
    for (let k = 0; k < touches.n; k++) {
      const key = touches.keys[k];
      const line = lines.slot(key);
      const owner = lines.lastOwner(line);
      let x = owner >= 0 && owner !== cpu ? terms.line_transfer_ns * this.topo.factor(node, this.topo.nodeOf[owner]) : 0;
      if (key % 2 === 0) {
        const free = lines.freeTime(line);
        if (free > a) {
          contended++;
          wait += free - a;
          a = free;
          x += terms.lock_handoff_ns;
        }
        a += x + hold;
        lines.take(line, cpu, a);
      } else {
        // An atomic on a counter line holds the line while it moves: CPUs hammering one line queue for it.
        const free = lines.freeTime(line);
        if (x > 0 && free > a) {
          transfer += free - a;
          a = free;
        }
        a += x;
        lines.take(line, cpu, a);
      }
      transfer += x;
    }
    const work = locks > 0 ? hold * locks : workNs;
    if (locks === 0) a += workNs;
    a += copyNs + remoteNs + fixedNs / 2;
    this.lastWaitNs = wait;
    this.lastContended = contended;
    if (acc !== null) {
      acc[B.fixed] += fixedNs;
      acc[B.search] += work;
      acc[B.lockWait] += wait;
      acc[B.transfer] += transfer;
      acc[B.copy] += copyNs;
      acc[B.remote] += remoteNs;
    }
    return a;
  }
}
