/** The unit every verdict is about: one (workload, threads) of a run. */

/** The (workload, threads) a row belongs to, as a grouping key. */
export function workloadThreadsKey(row: { workload: string; threads: number }): string {
  return `${row.workload}\u0000${row.threads}`;
}
