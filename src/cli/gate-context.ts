/** What every phase of a gate run shares: where, what, on which machine, and how to decide. */
import type { MachineFacts } from '../export/machine.js';
import type { SideInfo } from './gate-side.js';
import type { Suite } from './gate-suite.js';
import type { TimingSettings } from './gate-timing-loop.js';

/** A gate run's shared settings. */
export interface GateContext {
  /** The candidate's checkout (this repository). */
  root: string;
  candidate: SideInfo;
  suite: Suite;
  machine: MachineFacts;
  /** Absolute path of the calibration both sides' sim runs use, and its SHA-256. */
  calibration: string;
  calibrationSha256: string;
  /** Timing settings other than the suite's block counts. */
  timing: Omit<TimingSettings, 'minBlocks' | 'maxBlocks'>;
  /** Environment added to both sides' processes. */
  env: Record<string, string>;
  log: (line: string) => void;
}
