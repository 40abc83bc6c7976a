/**
 * summary.md's "Bounce memory" section: how much bounce memory each strategy
 * had in each run and how its plan divided it (pools, areas, children), and
 * whether the strategies compared had the same total. Failures at unequal
 * memory compare memory as much as allocators.
 */
import { IO_TLB_SIZE } from '../model/constants.js';
import type { PoolPlan } from '../model/strategy.js';

/** Bytes the plan may use at most: its budget for pools that grow, else its slots. */
export function planBytes(plan: PoolPlan): number {
  return (plan.maxPoolSlots ?? plan.nslabs) * IO_TLB_SIZE;
}

function mib(bytes: number): string {
  const m = bytes / 2 ** 20;
  return `${Number.isInteger(m) ? m : m.toFixed(2)} MiB`;
}

const slots = (list: number[]) => (new Set(list).size === 1 ? `${list.length} x ${list[0]} slots` : `${list.join(' + ')} slots`);

/** How `plan` divides its memory, in words: e.g. "2 device pools (2 x 16384 slots), 1 area each". */
export function planDivision(plan: PoolPlan): string {
  const areas = `${plan.nareas} area${plan.nareas === 1 ? '' : 's'} each`;
  if (plan.deviceSlots) return `${plan.deviceSlots.length} device pool(s) (${slots(plan.deviceSlots)}), ${areas}`;
  if (plan.nodeSlots) return `${plan.nodeSlots.length} node pool(s) (${slots(plan.nodeSlots)}), ${areas}`;
  if (plan.childPer) {
    const sets = plan.childSets ?? 1;
    return `${sets > 1 ? `${sets} devices x ` : ''}${plan.nareas} child pools of ${plan.nslabs / sets / plan.nareas} slots carved from one pool, a lock each`;
  }
  if (plan.maxPoolSlots !== undefined) return `a boot pool of ${plan.nslabs} slots in ${plan.nareas} area(s), growing up to ${plan.maxPoolSlots} slots with transient pools`;
  return `one pool of ${plan.nslabs} slots in ${plan.nareas} area${plan.nareas === 1 ? '' : 's'}`;
}

/** One run's strategy, workload, thread count and plan. */
export interface PlannedRun {
  row: { strategy: string; workload: string; threads: number };
  plan: PoolPlan;
}

/**
 * The section's markdown lines: per (workload, threads), each strategy's
 * total and division once, and a sentence saying whether the totals agree.
 */
export function bounceMemorySection(runs: readonly PlannedRun[]): string[] {
  const groups = new Map<string, Map<string, PoolPlan>>();
  for (const { row, plan } of runs) {
    const key = `${row.workload}, ${row.threads} thread${row.threads === 1 ? '' : 's'}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = new Map()));
    if (!g.has(row.strategy)) g.set(row.strategy, plan);
  }
  if (groups.size === 0) return [];
  const out = ['## Bounce memory', ''];
  for (const [key, plans] of groups) {
    const totals = new Set([...plans.values()].map(planBytes));
    const head = plans.size < 2 ? '' : totals.size === 1 ? ` every strategy had ${mib([...totals][0])} (equal memory).` : ' **the strategies had different memory**: their failures compare memory as well as allocators (give --pool, --device-pool, --max-pool to set it).';
    out.push(`- ${key}:${head}`);
    for (const [strategy, plan] of plans) out.push(`  - ${strategy}: ${mib(planBytes(plan))}, ${planDivision(plan)}`);
  }
  return out;
}
