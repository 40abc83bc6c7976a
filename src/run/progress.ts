/**
 * Progress while `npm run bench` runs. On a terminal: a cli-progress bar with
 * runs done of total, the run now going, elapsed time and ETA, and each
 * finished run's result line printed above the bar. Elsewhere (stdout not a
 * TTY, the CI variable set, or `--no-progress`): exactly one plain line per
 * finished run, nothing else.
 */
import cliProgress from 'cli-progress';

/** What the run loop tells the progress display. */
export interface Progress {
  /** The job starts: `total` runs, each expected to take about `runSeconds` s (warm-up + measured time). */
  start(total: number, runSeconds: number): void;
  /** A run starts; `desc` says which, e.g. `per-cpu-areas msr-hm0 threads=2 repeat=1`. */
  runStarted(desc: string): void;
  /** A run finished; `line` is its one-line result (`[k/N] ...`), printed in full. */
  runFinished(line: string): void;
  /** Remove the bar and restore the terminal; safe to call more than once, and without start(). */
  stop(): void;
}

/** Where output goes and whether a bar may be drawn. */
export interface ProgressTarget {
  /** Draw a bar (see {@link wantsProgressBar}). */
  bar: boolean;
  /** Plain-line output (console.log in the CLI). */
  log: (line: string) => void;
  /** The terminal stream the bar draws on (default process.stdout). */
  stream?: NodeJS.WriteStream;
}

/**
 * Whether to draw a bar: stdout is a terminal, the `CI` environment variable
 * is unset (or empty, `0`, `false`), and `--no-progress` was not given.
 */
export function wantsProgressBar(isTTY: boolean | undefined, env: NodeJS.ProcessEnv, enabled = true): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
  return enabled && isTTY === true && !ci;
}

/** The display for `target`: a bar, or plain lines. */
export function createProgress(target: ProgressTarget): Progress {
  return target.bar ? new BarProgress(target.stream ?? process.stdout) : new PlainProgress(target.log);
}

/** One line per finished run, nothing else (pipes, CI logs). */
class PlainProgress implements Progress {
  constructor(private readonly log: (line: string) => void) {}
  start(): void {}
  runStarted(): void {}
  runFinished(line: string): void {
    this.log(line);
  }
  stop(): void {}
}

/** Time as `42s`, `3m05s` or `1h02m`. `seconds` >= 0. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The state a bar line is drawn from; times in ms (performance.now() or Date.now(), one clock). */
export interface ProgressState {
  total: number;
  done: number;
  /** The run going now ('' before the first). */
  current: string;
  startMs: number;
  /** When the current run started. */
  runStartMs: number;
  /** Expected seconds per run before any has finished. */
  runSeconds: number;
}

/**
 * Seconds left: the mean time of the finished runs (or the expected run time
 * before the first finishes) times the runs left, less the current run's time
 * so far, but never below the runs after the current one.
 */
export function etaSeconds(s: ProgressState, nowMs: number): number {
  const left = s.total - s.done;
  if (left <= 0) return 0;
  const perRun = s.done > 0 ? (s.runStartMs - s.startMs) / 1000 / s.done : s.runSeconds;
  const inRun = (nowMs - s.runStartMs) / 1000;
  return Math.max(perRun * (left - 1), perRun * left - inRun);
}

/**
 * One bar line, cut to `width` columns:
 * `[#####---------------] 5/24 runs | elapsed 12s | ETA 40s | per-cpu-areas msr-hm0 threads=2 repeat=1`.
 */
export function progressLine(s: ProgressState, nowMs: number, width: number, barSize = 20): string {
  const filled = s.total > 0 ? Math.min(barSize, Math.round((barSize * s.done) / s.total)) : 0;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barSize - filled)}]`;
  const parts = [`${bar} ${s.done}/${s.total} runs`, `elapsed ${formatDuration((nowMs - s.startMs) / 1000)}`, `ETA ${formatDuration(etaSeconds(s, nowMs))}`];
  if (s.current) parts.push(s.current); // last: what a narrow terminal cuts
  const line = parts.join(' | ');
  return line.length < width ? line : line.slice(0, Math.max(0, width - 1));
}

/**
 * The terminal bar. A cli-progress MultiBar holding one bar: its `log()` puts
 * result lines above the bar, and its timer redraws the line (elapsed, ETA)
 * five times a second (`fps: 5`). No cursor hiding and no line-wrap escape codes, so an
 * interrupted run leaves the terminal as it was.
 */
class BarProgress implements Progress {
  private multi: cliProgress.MultiBar | null = null;
  private bar: cliProgress.SingleBar | null = null;
  private state: ProgressState = { total: 0, done: 0, current: '', startMs: 0, runStartMs: 0, runSeconds: 0 };

  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(total: number, runSeconds: number): void {
    const now = Date.now();
    this.state = { total, done: 0, current: '', startMs: now, runStartMs: now, runSeconds };
    this.multi = new cliProgress.MultiBar({
      stream: this.stream,
      format: (_options, params) => progressLine(this.state, Date.now(), params.maxWidth),
      clearOnComplete: true,
      hideCursor: false,
      linewrap: true,
      gracefulExit: false,
      fps: 5,
    });
    this.bar = this.multi.create(total, 0);
  }

  runStarted(desc: string): void {
    this.state.current = desc;
    this.state.runStartMs = Date.now();
    this.redraw();
  }

  runFinished(line: string): void {
    this.state.done++;
    this.state.runStartMs = Date.now();
    if (!this.multi) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.bar?.update(this.state.done);
    this.multi.log(`${line}\n`);
    this.redraw();
  }

  stop(): void {
    if (!this.multi) return;
    this.multi.update(); // flush lines logged since the last redraw
    this.multi.stop();
    this.multi = null;
    this.bar = null;
  }

  /** Draw now (flushing logged lines) rather than at the next timer tick. */
  private redraw(): void {
    this.multi?.update();
  }
}
