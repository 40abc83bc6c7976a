/**
 * The virtual machine's NUMA topology: nodes, CPUs in contiguous blocks per
 * node, and an ACPI SLIT-style distance matrix (10 = local). A copy between
 * nodes costs distance / local times a local one; a cache line moved between
 * nodes likewise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../../base/errors.js';

/** Node of each CPU and the distance factor between nodes. */
export class Topology {
  /** Node of CPU i. */
  readonly nodeOf: Int32Array;

  /**
   * @param distance SLIT rows, `distance[a][b]`, `nodes` x `nodes`.
   * @param cpus virtual CPUs; `cpusPerNode` in contiguous blocks (the last node takes the rest).
   */
  constructor(readonly nodes: number, readonly distance: number[][], cpus: number, readonly cpusPerNode: number) {
    this.nodeOf = new Int32Array(cpus);
    for (let c = 0; c < cpus; c++) this.nodeOf[c] = Math.min(Math.floor(c / cpusPerNode), nodes - 1);
  }

  /** Cost factor of touching node `b`'s memory from node `a`: distance(a, b) / distance(a, a). */
  factor(a: number, b: number): number {
    return this.distance[a][b] / this.distance[a][a];
  }
}

/**
 * `--numa-distance`: `LOCAL,REMOTE` (every remote pair the same, e.g. the
 * default `10,20`) or a file of `nodes` rows of `nodes` whitespace-separated
 * distances (as `numactl --hardware` prints them, without the labels).
 * @throws InputError naming the file, line and field.
 */
export function parseDistance(spec: string, nodes: number): number[][] {
  const pair = /^(\d+),(\d+)$/.exec(spec.trim());
  if (pair) {
    const local = Number(pair[1]);
    const remote = Number(pair[2]);
    if (local < 1 || remote < local) throw new InputError(`--numa-distance ${spec}: expected LOCAL,REMOTE with 1 <= LOCAL <= REMOTE, e.g. 10,20`);
    return Array.from({ length: nodes }, (_, a) => Array.from({ length: nodes }, (_, b) => (a === b ? local : remote)));
  }
  if (!existsSync(spec)) throw new InputError(`--numa-distance ${spec}: neither LOCAL,REMOTE (e.g. 10,20) nor a file`);
  const rows = readFileSync(spec, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (rows.length !== nodes) throw new InputError(`${spec}: ${rows.length} rows of distances for ${nodes} nodes (--nodes); give one row per node`);
  return rows.map((row, a) => {
    const cells = row.split(/\s+/).map(Number);
    if (cells.length !== nodes) throw new InputError(`${spec}:${a + 1}: ${cells.length} distances, expected ${nodes}`);
    cells.forEach((d, b) => {
      if (!Number.isInteger(d) || d < 1) throw new InputError(`${spec}:${a + 1}: field ${b + 1}: '${row.split(/\s+/)[b]}' is not a positive integer distance`);
    });
    if (cells.some((d, b) => d < cells[a] && b !== a)) throw new InputError(`${spec}:${a + 1}: a remote distance is below the local one (${cells[a]})`);
    return cells;
  });
}
