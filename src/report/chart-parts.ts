/** Small builders shared by the figure modules (axes, panel titles, the run each time-series panel shows). */
import type { ReportInput, ReportRun } from './report-input.js';
import { dimensions } from './report-input.js';

/** A Chart.js axis with a title (units in the text). */
export function axis(title: string, extra: Record<string, unknown> = {}) {
  return { title: { display: true, text: title, font: { size: 13 } }, ...extra };
}

/** Panel options: a title, a legend, and the given axes. */
export function panelOptions(title: string, scales: Record<string, unknown>, legend = true) {
  return {
    plugins: { title: { display: true, text: title, font: { size: 14 } }, legend: { display: legend, position: 'bottom' as const } },
    scales,
  };
}

/** Time-series panels show one run: the most threads, first repeat. */
export function shownThreads(input: ReportInput): number {
  return Math.max(...dimensions(input).threads);
}

/** The run a time-series panel of (strategy, workload) shows, if it exists. */
export function shownRun(input: ReportInput, strategy: string, workload: string): ReportRun | undefined {
  const threads = shownThreads(input);
  return input.runs.find((r) => r.strategy === strategy && r.workload === workload && r.threads === threads && r.repeat === 0);
}
