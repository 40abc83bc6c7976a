/** Which snapshots pool-map.png shows: per strategy, its run with the highest hiwater (ties: more threads), at peak and at the end. */
import type { PoolPicture, PoolSnapshot } from '../export/run-series.js';
import type { PoolMapPanel } from './pool-map.js';
import { type ReportInput, type ReportRun, dimensions } from './report-input.js';

/** The run of each strategy whose pool is drawn. */
export function poolMapRuns(input: ReportInput): ReportRun[] {
  const hiwater = (r: ReportRun) => input.rows.find((x) => x.strategy === r.strategy && x.workload === r.workload && x.threads === r.threads && x.repeat === r.repeat)?.hiwater_slots ?? 0;
  return dimensions(input).strategies.flatMap((strategy) => {
    const runs = input.runs.filter((r) => r.strategy === strategy && (r.snapshots?.length ?? 0) > 0);
    runs.sort((a, b) => hiwater(b) - hiwater(a) || b.threads - a.threads || a.repeat - b.repeat);
    return runs.slice(0, 1);
  });
}

/** Title of one snapshot's panel. */
function title(run: ReportRun, snap: PoolSnapshot): string {
  const slots = snap.pools.reduce((s, p) => s + p.nslabs, 0);
  const what = snap.moment === 'peak' ? 'at its fullest (copied within 2% of io_tlb_used_hiwater)' : 'at the end of the run';
  return `${run.strategy}, ${run.workload}, ${run.threads} threads, repeat ${run.repeat}: ${what} (t = ${(snap.tMs / 1000).toFixed(2)} s), ${snap.used} of ${slots} slots taken`;
}

/** One panel per snapshot of the chosen runs; slot states stay base64 (see {@link decodePanel}). */
export function poolMapSnapshots(input: ReportInput): { title: string; pools: PoolPicture[] }[] {
  return poolMapRuns(input).flatMap((run) => (run.snapshots ?? []).map((snap) => ({ title: title(run, snap), pools: snap.pools })));
}

/** A panel ready to paint: states decoded by `decode` (Buffer in Node, atob in a browser). */
export function decodePanel(panel: { title: string; pools: PoolPicture[] }, decode: (base64: string) => Uint8Array): PoolMapPanel {
  return { title: panel.title, pools: panel.pools.map((p) => ({ label: p.label, nslabs: p.nslabs, nareas: p.nareas, states: decode(p.states) })) };
}
