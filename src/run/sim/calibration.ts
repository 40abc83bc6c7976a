/**
 * The virtual-time engine's cost terms (docs/sim.md): what each part of a
 * map or unmap costs on one machine, in ns. `npm run calibrate` measures them
 * (calibrate.ts) and writes a calibration file; `--calibration FILE` reads
 * one; calibration/default.json ships, measured on the machine it names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../base/errors.js';
import { projectRoot } from '../../base/paths.js';

/** Each cost term, declared once: the schema, the calibration file and docs/sim.md's table come from this. */
export const COST_TERMS = [
  { name: 'map_fixed_ns', unit: 'ns per map', meaning: "a map's cost besides the search, the lock pair and the copy: the DMA layer and the replay's own work per event" },
  { name: 'unmap_fixed_ns', unit: 'ns per unmap', meaning: "an unmap's cost besides the release, the lock pair and the copy-back" },
  { name: 'sync_fixed_ns', unit: 'ns per sync', meaning: "a partial sync for the CPU before an unmap without a copy (a NIC's frame in a bigger RX buffer): one more DMA call" },
  { name: 'slot_scan_ns', unit: 'ns per slot', meaning: "one candidate slot examined by the area search (swiotlb_search_pool_area's loop)" },
  { name: 'slot_update_ns', unit: 'ns per slot', meaning: 'one slot allocated, or one released: its list[] and orig_addr entries and its share of the renumbering walk' },
  { name: 'lock_pair_ns', unit: 'ns per lock', meaning: 'an uncontended lock and unlock of one lock word, held for nothing' },
  { name: 'copy_fixed_ns', unit: 'ns per copy', meaning: "one bounce copy's fixed cost (the call, the first cache misses)" },
  { name: 'copy_ns_per_byte', unit: 'ns per byte', meaning: 'each byte a bounce copy moves, through a pool larger than the caches' },
  { name: 'line_transfer_ns', unit: 'ns per transfer', meaning: 'one cache line (a lock word with its area line, a debugfs counter) moved from another core of the same node; times the NUMA factor between nodes' },
  { name: 'lock_handoff_ns', unit: 'ns per handoff', meaning: 'a lock passed to a CPU that waited for it, beyond the line transfer (the waiter noticing, the holder slowed by its spinning)' },
  { name: 'corun_slowdown', unit: 'fraction', meaning: "how much longer a CPU's own work (fixed costs, search, copies) takes while other CPUs run too (shared caches, memory bandwidth, a hypervisor's vCPUs), measured with two CPUs and applied to every CPU of a run with more than one" },
  { name: 'background_delay_ns', unit: 'ns', meaning: 'from the growth work being queued to it running (workqueue latency and the page allocation), for strategies with background work' },
] as const;

/** A cost term's name. */
export type CostTermName = (typeof COST_TERMS)[number]['name'];

const ns = z.number().finite().nonnegative();

/** The terms: each a non-negative number. */
export const CostTermsSchema = z.strictObject(Object.fromEntries(COST_TERMS.map((t) => [t.name, ns])) as Record<CostTermName, typeof ns>);

/** The cost terms. */
export type CostTerms = z.infer<typeof CostTermsSchema>;

/** The machine a calibration was measured on. */
const MachineSchema = z.object({
  cpu_model: z.string(),
  cores: z.number().int().positive(),
  node: z.string(),
  platform: z.string(),
  measured_at: z.string(),
  note: z.string().optional(),
});

/** A calibration file. */
export const CalibrationSchema = z.strictObject({
  schema: z.literal(1),
  machine: MachineSchema,
  terms: CostTermsSchema,
  /** How each term was measured, in words. */
  method: z.record(z.string(), z.string()).optional(),
});

/** A calibration file's content. */
export type Calibration = z.infer<typeof CalibrationSchema>;

/** The calibration that ships: calibration/default.json. */
export function defaultCalibrationFile(): string {
  return join(projectRoot(), 'calibration', 'default.json');
}

/**
 * Read a calibration file.
 * @throws InputError naming the file and the field when it cannot be read or is malformed.
 */
export function loadCalibration(file = defaultCalibrationFile()): Calibration {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`--calibration ${file}: ${(err as Error).message}; write one with npm run calibrate`);
  }
  const parsed = CalibrationSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`--calibration ${file}: field '${issue.path.join('.') || '(top)'}': ${issue.message}`);
  }
  return parsed.data;
}
