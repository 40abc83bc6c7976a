/**
 * The virtual-time engine's parts against the rules docs/sim.md states:
 * the CPU order, the cost of an op (FIFO lock waits, line transfers, the
 * queue on a counter line, NUMA factors), the touch log of the real pool
 * code, distance tables and calibration files. Every expected figure is
 * worked out by hand from those rules.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/base/errors.js';
import { IO_TLB_SIZE } from '../../src/model/constants.js';
import { DmaArena } from '../../src/model/dma-arena.js';
import { SwiotlbPool } from '../../src/model/pool.js';
import { allocatePool } from '../../src/model/pool-layout.js';
import { type CostTerms, loadCalibration } from '../../src/run/sim/calibration.js';
import { CpuHeap } from '../../src/run/sim/cpu-heap.js';
import { B, OpCost } from '../../src/run/sim/op-cost.js';
import { Topology, parseDistance } from '../../src/run/sim/topology.js';
import { TouchLog } from '../../src/run/sim/touch-log.js';
import { VirtualLines } from '../../src/run/sim/virtual-lines.js';
import { tempDir } from '../helpers.js';

const TERMS: CostTerms = {
  map_fixed_ns: 100, unmap_fixed_ns: 100, sync_fixed_ns: 0, slot_scan_ns: 1, slot_update_ns: 1, lock_pair_ns: 10,
  copy_fixed_ns: 0, copy_ns_per_byte: 0, line_transfer_ns: 50, lock_handoff_ns: 100, corun_slowdown: 0, background_delay_ns: 0,
};
const touches = (...keys: number[]) => ({ keys: Float64Array.from(keys), n: keys.length });

describe('CpuHeap', () => {
  it('gives the lowest clock first, ties to the lower CPU id', () => {
    const clock = Float64Array.from([5, 3, 3, 0, 9]);
    const heap = new CpuHeap(clock);
    for (const c of [4, 2, 0, 1, 3]) heap.push(c);
    expect(Array.from({ length: 5 }, () => heap.pop())).toEqual([3, 1, 2, 0, 4]);
    expect(heap.pop()).toBe(-1);
  });
});

describe('OpCost', () => {
  // Two nodes, SLIT 10/20, one CPU per node: a transfer between them costs 2x.
  const setup = () => {
    const topo = new Topology(2, parseDistance('10,20', 2), 2, 1);
    return new OpCost(TERMS, new VirtualLines(), topo);
  };

  it('a lock held in virtual time is waited for, then handed off across nodes', () => {
    const cost = setup();
    const acc = new Float64Array(6);
    // CPU 0 at 0: half fixed (50), the free lock held for lock_pair + work (10 + 40), copy 200, half fixed: ends at 350, lock free at 100.
    expect(cost.charge(0, 0, 100, 40, touches(64), 200, 0, acc)).toBe(350);
    // CPU 1 at 20 arrives at 70, waits 30 to 100, pays the remote transfer (50 x 2) and the handoff (100), holds 10: 310, then 50 more.
    expect(cost.charge(1, 20, 100, 0, touches(64), 0, 0, acc)).toBe(360);
    expect([cost.lastWaitNs, cost.lastContended]).toEqual([30, 1]);
    expect(acc[B.lockWait]).toBe(30);
    expect(acc[B.transfer]).toBe(200);
    expect(acc[B.search]).toBe(50 + 10);
  });

  it('CPUs updating one counter line queue for it while it moves', () => {
    const cost = setup();
    expect(cost.charge(0, 0, 0, 0, touches(129), 0, 0, null)).toBe(0); // first touch: nothing to move
    expect(cost.charge(1, 0, 0, 0, touches(129), 0, 0, null)).toBe(100); // moved from node 0: 50 x 2
    // CPU 0 at 10: the line reaches CPU 1 only at 100; it then moves back (100): 200.
    expect(cost.charge(0, 10, 0, 0, touches(129), 0, 0, null)).toBe(200);
  });

  it('an op that takes no lock does its work outside any, and remote copies add their share', () => {
    const cost = setup();
    const acc = new Float64Array(6);
    expect(cost.charge(0, 0, 0, 25, touches(), 100, 100, acc)).toBe(225);
    expect([acc[B.search], acc[B.copy], acc[B.remote]]).toEqual([25, 100, 100]);
  });
});

describe('the co-run slowdown', () => {
  it("stretches a CPU's own work when other CPUs run, not its waits or transfers, and never a lone CPU", () => {
    const terms = { ...TERMS, corun_slowdown: 0.5 };
    const lone = new OpCost(terms, new VirtualLines(), new Topology(1, [[10]], 1, 1));
    expect(lone.charge(0, 0, 100, 40, touches(64), 200, 0, null)).toBe(350); // as without the slowdown
    const two = new OpCost(terms, new VirtualLines(), new Topology(1, [[10]], 2, 2));
    // CPU 0: fixed 150, hold 15 + 60, copy 300: 525; the lock is free at 75 + 75 = 150.
    expect(two.charge(0, 0, 100, 40, touches(64), 200, 0, null)).toBe(525);
    // CPU 1 at 0: arrives at 75, waits to 150, transfer 50 + handoff 100 (not stretched), hold 15, fixed 75: 390.
    expect(two.charge(1, 0, 100, 0, touches(64), 0, 0, null)).toBe(390);
  });
});

describe('the touch log of the WebAssembly pool code', () => {
  it('names the area lock and the io_tlb_mem counter line a map touches, and nothing once stopped', () => {
    const arena = new DmaArena();
    const shared = allocatePool(1024, 4, 0x8000_0000, { withData: false, rules: 'newest', lock: 'qspinlock', arena });
    const pool = new SwiotlbPool(shared);
    const log = new TouchLog(arena);
    log.start();
    log.begin();
    const tlb = pool.tblMapSingle(2, 0, IO_TLB_SIZE, 0, 0); // CPU 2: area 2 of 4
    const t = log.collect();
    const lock = t.keys[0];
    expect(t.n).toBe(2);
    expect(lock % 2).toBe(0);
    expect(lock).toBe(shared.areas + (shared.firstArea + 2) * 64); // area 2's line (64 bytes each)
    expect(t.keys[1]).toBe(shared.mem.offset + 1); // total_used's line, odd
    log.stop();
    log.begin();
    pool.releaseSlots(tlb, 0, IO_TLB_SIZE);
    expect(log.collect().n).toBe(0);
  });
});

describe('the touch log of a map that tries every area', () => {
  it('holds every area lock a failing map of 32 areas takes, in search order from its own', () => {
    const arena = new DmaArena();
    const shared = allocatePool(32 * 128, 32, 0x8000_0000, { withData: false, rules: 'newest', lock: 'qspinlock', arena });
    const pool = new SwiotlbPool(shared);
    for (let a = 0; a < 32; a++) expect(pool.tblMapSingle(a, 0, 128 * IO_TLB_SIZE, 0, 0)).toBeGreaterThan(0); // each area full
    const log = new TouchLog(arena);
    log.start();
    log.begin();
    expect(pool.tblMapSingle(5, 0, IO_TLB_SIZE, 0, 0)).toBe(-1);
    const t = log.collect();
    log.stop();
    const line = (a: number) => shared.areas + (shared.firstArea + a) * 64;
    expect(Array.from(t.keys.subarray(0, t.n))).toEqual(Array.from({ length: 32 }, (_, k) => line((5 + k) % 32)));
  });
});

describe('--numa-distance', () => {
  it('LOCAL,REMOTE gives a full matrix; a file gives its rows', () => {
    expect(parseDistance('10,21', 3)).toEqual([[10, 21, 21], [21, 10, 21], [21, 21, 10]]);
    const file = join(tempDir('slit'), 'slit.txt');
    writeFileSync(file, '# node distances\n10 16\n16 10\n');
    expect(parseDistance(file, 2)).toEqual([[10, 16], [16, 10]]);
    expect(new Topology(2, [[10, 16], [16, 10]], 4, 2).factor(0, 1)).toBe(1.6);
  });

  it('names the file, line and field of a bad table', () => {
    const dir = tempDir('slit-bad');
    const short = join(dir, 'short.txt');
    writeFileSync(short, '10 20\n');
    expect(() => parseDistance(short, 2)).toThrow(new InputError(`${short}: 1 rows of distances for 2 nodes (--nodes); give one row per node`));
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '10 20\n20 x\n');
    expect(() => parseDistance(bad, 2)).toThrow(`${bad}:2: field 2: 'x' is not a positive integer distance`);
    expect(() => parseDistance('20,10', 2)).toThrow(InputError);
  });
});

describe('calibration files', () => {
  it('the shipped calibration reads, with its machine', () => {
    const c = loadCalibration();
    expect(c.machine.cores).toBeGreaterThanOrEqual(1);
    expect(c.terms.copy_ns_per_byte).toBeGreaterThan(0);
  });

  it('a malformed one is refused naming the field', () => {
    const file = join(tempDir('cal'), 'cal.json');
    const good = loadCalibration();
    writeFileSync(file, JSON.stringify({ ...good, terms: { ...good.terms, slot_scan_ns: -1 } }));
    expect(() => loadCalibration(file)).toThrow(/cal\.json: field 'terms\.slot_scan_ns'/);
    writeFileSync(file, '{');
    expect(() => loadCalibration(file)).toThrow(/npm run calibrate/);
  });
});
