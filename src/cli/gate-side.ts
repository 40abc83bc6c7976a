/**
 * One side of the gate (base or candidate): a checkout with a built
 * `dist/bench/bench-serve.js`, driven as a child process over the line
 * protocol of bench-serve.ts. The child runs in the side's own directory, so
 * its traces, defaults and strategies are that commit's.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { InputError } from '../base/errors.js';
import { SERVE_PROTOCOL, type ServedRun } from './bench-serve.js';

/** A side's identity in the results. */
export interface SideInfo {
  /** `base` or `candidate`. */
  role: 'base' | 'candidate';
  /** The git ref given (`HEAD~1`), or `working tree`. */
  ref: string;
  /** Commit hash, or null when unknown. */
  commit: string | null;
  /** The checkout's directory. */
  dir: string;
}

/** The harness failed (a side's process died or stopped answering): the gate exits 2. */
export class GateHarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateHarnessError';
  }
}

/**
 * A running bench-serve child of one side. Requests run one at a time.
 * `restart()` replaces the process: the timing loop does so every few blocks,
 * because two processes of identical code can differ by a few percent for
 * their whole life (memory placement), a bias blocks cannot cancel.
 */
export class SideProcess {
  private child!: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, { resolve: (runs: ServedRun[]) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private stderrTail = '';
  private ready!: Promise<void>;
  private exited: string | undefined;
  private readonly entry: string;

  /**
   * Start the side's bench-serve. `env` adds to this process's environment (the gate's planted fixtures read theirs from it).
   * @throws InputError when the checkout has no bench-serve entry point (a base older than the gate).
   */
  constructor(readonly info: SideInfo, private readonly env: Record<string, string> = {}) {
    this.entry = join(info.dir, 'dist', 'bench', 'bench-serve.js');
    if (!existsSync(this.entry)) throw new InputError(`${info.role} ${info.ref}: ${this.entry} does not exist; the gate drives a side through bench-serve, which commits before the gate do not have: choose a newer --base, or --baseline FILE`);
    this.start();
  }

  /** Spawn the child and wire its answers to the pending requests. */
  private start(): void {
    const { info } = this;
    const child = spawn(process.execPath, [this.entry], { cwd: info.dir, env: { ...process.env, ...this.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = undefined;
    child.stderr.on('data', (d: Buffer) => { this.stderrTail = (this.stderrTail + d.toString()).slice(-2000); });
    let onReady: () => void = () => {};
    let onFail: (e: Error) => void = () => {};
    this.ready = new Promise<void>((res, rej) => { onReady = res; onFail = rej; });
    this.ready.catch(() => {});
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => {
      let msg: { ready?: boolean; protocol?: number; id?: number; ok?: boolean; runs?: ServedRun[]; error?: string; code?: number };
      try {
        msg = JSON.parse(line);
      } catch {
        return; // a stray line (a warning printed by a strategy): not an answer
      }
      if (msg.ready) {
        if (msg.protocol === SERVE_PROTOCOL) onReady();
        else onFail(new InputError(`${info.role} ${info.ref}: bench-serve speaks protocol ${msg.protocol}, this gate ${SERVE_PROTOCOL}`));
        return;
      }
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.ok) p.resolve(msg.runs ?? []);
      else p.reject(msg.code === 2 ? new InputError(`${info.role} ${info.ref}: ${msg.error}`) : new GateHarnessError(`${info.role} ${info.ref}: a run failed: ${msg.error}`));
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return; // an old process, replaced by restart()
      this.exited = `exited with ${signal ?? `code ${code}`}`;
      const err = new GateHarnessError(`${info.role} ${info.ref}: bench-serve ${this.exited}${this.stderrTail ? `; its last output: ${this.stderrTail.trim()}` : ''}`);
      onFail(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  /** Resolves when the process is up and speaks this gate's protocol. @throws InputError / GateHarnessError when it is not. */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  /** Replace the process with a fresh one (between requests). */
  restart(): void {
    const old = this.child;
    this.start();
    old.stdin.end();
    setTimeout(() => old.kill(), 5000).unref();
  }

  /**
   * Run one `npm run bench` argument list on this side.
   * @param timeoutMs longest wait for the answer.
   * @throws InputError (bad options for this side), GateHarnessError (a run failed, the process died or did not answer in time).
   */
  async run(argv: readonly string[], timeoutMs: number): Promise<ServedRun[]> {
    await this.ready;
    if (this.exited) throw new GateHarnessError(`${this.info.role} ${this.info.ref}: bench-serve ${this.exited}`);
    const id = this.nextId++;
    return new Promise<ServedRun[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new GateHarnessError(`${this.info.role} ${this.info.ref}: no answer within ${Math.round(timeoutMs / 1000)} s to bench ${argv.join(' ')}`));
      }, timeoutMs);
      this.pending.set(id, { resolve: (r) => { clearTimeout(timer); resolve(r); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      this.child.stdin.write(`${JSON.stringify({ id, argv })}\n`);
    });
  }

  /** End the child (it finishes when its input closes). */
  close(): void {
    this.child.stdin.end();
    setTimeout(() => this.child.kill(), 5000).unref();
  }
}
