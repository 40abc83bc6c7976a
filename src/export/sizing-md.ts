/** sizing.md: the answers of `npm run size` as tables, one per workload, with the findings in words. */
import { type SizingAnswer, mib, vmPoolSlots, vmSpareSlots } from './sizing-answer.js';
import { IO_TLB_SEGMENT_BYTES, IO_TLB_SIZE } from '../model/constants.js';

/** What the page says about how the answers were found. */
export interface SizingFacts {
  command: string;
  /** Where the engine's timing (hence the interleaving) came from. */
  calibration: string;
  passes: number;
  maxFailureRate: number;
  vmGiB: number[];
  /** Warnings and notes, one line each. */
  notes: string[];
}

/** A size in slots as text: KiB under 1 MiB, else MiB. */
export function sizeText(slots: number): string {
  const bytes = slots * IO_TLB_SIZE;
  return bytes < 2 ** 20 ? `${bytes / 1024} KiB` : `${mib(slots)} MiB`;
}

/** The heuristic's pool for `g` GiB at `cpus` against the answer: `128: 96 spare` or `128: 128 short`. */
function cocoCell(a: SizingAnswer, g: number): string {
  const coco = vmPoolSlots(g, a.cpus);
  if (a.kind !== 'static') return `${mib(coco)}`;
  const spare = vmSpareSlots(a, g);
  if (spare === undefined) return `${mib(coco)}: short`;
  return spare >= 0 ? `${mib(coco)}: ${mib(spare)} spare` : `${mib(coco)}: **${mib(-spare)} short**`;
}

function realCell(a: SizingAnswer): string {
  return a.real ? `${a.real.failures} failures in ${a.real.attempts.toLocaleString('en')} maps` : '';
}

/** The failures of a dynamic replay by cause, e.g. "12 no fit in their transient pool". */
function failureWhy(d: NonNullable<SizingAnswer['dynamic']>): string {
  const parts = [[d.noFit, 'no fit in their transient pool'], [d.noPages, 'no pages for a transient pool'], [d.oversize, `over one segment (${IO_TLB_SEGMENT_BYTES / 1024} KiB)`]] as const;
  return parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ');
}

/** One table row. */
function tableRow(a: SizingAnswer, vmGiB: number[]): string {
  const seeds = a.seeds === 'trace' ? '' : ` (seeds ${a.seeds.join(',')})`;
  if (a.kind === 'dynamic') {
    const d = a.dynamic!;
    const causes = failureWhy(d);
    const why = causes ? ` (${causes})` : '';
    const what = `from the ${sizeText(a.at!.poolSlots)} boot pool: ${d.failures} failures${why}, peak ${mib(d.peakMemoryBytes / IO_TLB_SIZE)} MiB, ${d.growths} growths, ${d.transientPools} transient pools`;
    return `| ${a.strategy}${seeds} | ${a.cpus} | ${what} | | ${sizeText(d.hiwaterSlots)} | | ${vmGiB.map((g) => cocoCell(a, g)).join(' | ')} | |`;
  }
  const floor = a.minPool && a.minPool.slots === a.floorSlots ? ' (floor)' : '';
  const min = a.minPool ? `${sizeText(a.minPool.slots)}${floor}` : `> ${sizeText(a.searchedUpToSlots)}`;
  const rate = a.ratePool ? sizeText(a.ratePool.slots) : `> ${sizeText(a.searchedUpToSlots)}`;
  const hi = a.at ? sizeText(a.at.hiwaterSlots) : '';
  const ratio = a.minPool && a.at && a.at.hiwaterSlots > 0 ? (a.minPool.slots / a.at.hiwaterSlots).toFixed(2) : '';
  return `| ${a.strategy}${seeds} | ${a.cpus} | ${min} | ${rate} | ${hi} | ${ratio} | ${vmGiB.map((g) => cocoCell(a, g)).join(' | ')} | ${realCell(a)} |`;
}

/** Findings in words, one sentence each: growth with CPUs, the heuristic's misses, dynamic growth's failures. */
export function sizingWords(answers: readonly SizingAnswer[], vmGiB: readonly number[]): string[] {
  const out: string[] = [];
  const statics = answers.filter((a) => a.kind === 'static');
  for (const key of [...new Set(statics.map((a) => `${a.workload}\u0000${a.strategy}`))]) {
    const series = statics.filter((a) => `${a.workload}\u0000${a.strategy}` === key).sort((x, y) => x.cpus - y.cpus);
    const [first, last] = [series[0], series[series.length - 1]];
    if (series.length < 2 || !first.minPool) continue;
    const to = last.minPool ? `${sizeText(last.minPool.slots)} at ${last.cpus} CPUs (x${(last.minPool.slots / first.minPool.slots).toFixed(0)})` : `more than ${sizeText(last.searchedUpToSlots)} at ${last.cpus} CPUs`;
    const above = series.filter((a) => a.minPool && a.floorSlots !== undefined && a.minPool.slots > a.floorSlots);
    const atFloor = series.every((a) => a.minPool && a.minPool.slots === a.floorSlots);
    const floors = atFloor
      ? '; every answer is the rounding floor for its areas (the search cannot go lower; fewer areas, swiotlb=,N, might)'
      : above.length === 0
      ? ''
      : `; above the rounding floor at ${above.map((a) => `${a.cpus} CPU${a.cpus > 1 ? 's' : ''} (x${(a.minPool!.slots / a.floorSlots!).toFixed(0)})`).join(', ')}`;
    out.push(`${first.workload}, ${first.strategy}: the smallest pool goes from ${sizeText(first.minPool.slots)} at ${first.cpus} CPU${first.cpus > 1 ? 's' : ''} to ${to}${floors}.`);
  }
  // A confidential VM boots with one area per possible CPU: per-cpu-areas is its layout; the others are read from the tables.
  const coco = statics.some((a) => a.strategy === 'per-cpu-areas') ? statics.filter((a) => a.strategy === 'per-cpu-areas') : statics;
  const which = coco === statics ? 'static answers' : 'per-cpu-areas answers (the layout a confidential VM boots with)';
  for (const g of coco.length ? vmGiB : []) {
    const spares = coco.map((a) => vmSpareSlots(a, g));
    const short = coco.filter((_, i) => (spares[i] ?? -1) < 0);
    const spare = spares.filter((x): x is number => x !== undefined && x >= 0);
    const median = spare.length ? ` (median ${sizeText([...spare].sort((x, y) => x - y)[Math.floor((spare.length - 1) / 2)])} to spare)` : '';
    const shortList = short.map((a) => `${a.workload}/${a.cpus}${coco === statics ? `/${a.strategy}` : ''}`).join(', ');
    out.push(`${g} GiB confidential VM: the 6% rule is enough for ${spare.length} of ${coco.length} ${which}${median}${short.length ? `, short for ${shortList}` : ''}.`);
  }
  const dyn = answers.filter((a) => a.kind === 'dynamic');
  if (dyn.length) {
    const failing = dyn.filter((a) => a.dynamic!.failures > 0);
    const peak = Math.max(...dyn.map((a) => a.dynamic!.peakMemoryBytes));
    out.push(`Dynamic growth from the default boot pool: no failure in ${dyn.length - failing.length} of ${dyn.length} replays${failing.length ? `; failures in ${failing.map((a) => `${a.workload}/${a.strategy}/${a.cpus} (${[a.dynamic!.failures, failureWhy(a.dynamic!)].filter(Boolean).join(': ')})`).join(', ')}` : ''}; peak memory up to ${mib(peak / IO_TLB_SIZE)} MiB.`);
    if (failing.some((a) => a.dynamic!.noFit > 0)) {
      out.push('No fit: a transient pool has exactly nr_slots(size) slots from a page boundary, so a buffer whose min_align_mask offset needs a later first slot (a 4 KiB mask and an address with the 2 KiB bit set) cannot be placed in it; swiotlb_find_slots() frees it and the map fails, however much memory is left.');
    }
  }
  return out;
}

/** The whole of sizing.md. */
export function sizingMarkdown(answers: readonly SizingAnswer[], f: SizingFacts): string {
  const lines = [
    '# Pool sizing: the smallest swiotlb pool per workload, strategy and CPU count',
    '',
    `\`${f.command}\``,
    '',
    `Deterministic replays on the virtual-time engine (the interleaving follows the calibration: ${f.calibration}), from an empty pool, ${f.passes} pass${f.passes > 1 ? 'es' : ''} of each schedule. ` +
      "Static pools are searched by bisection among the sizes the kernel's rounding can give (a power of two, at least 128 slots per area), from 256 KiB to 1 GiB; " +
      'generated workloads are replayed once per seed and the answer is the largest. "Smallest pool": no "swiotlb buffer is full" failure, marked (floor) when it is the smallest pool the rounding allows for that many areas (IO_TLB_SEGSIZE slots each); ' +
      `"under ${f.maxFailureRate}": failures at most that share of map attempts; hiwater: io_tlb_used_hiwater at the smallest pool. ` +
      "The VM columns give the confidential-VM default pool (6% of memory in [64 MiB, 1 GiB], rounded by swiotlb_adjust_size() and round_up_default_nslabs()) in MiB, and what it leaves spare or is short by.",
    '',
    '## In words',
    '',
    ...sizingWords(answers, f.vmGiB).map((w) => `- ${w}`),
    '',
  ];
  for (const workload of [...new Set(answers.map((a) => a.workload))]) {
    lines.push(`## ${workload}`, '');
    lines.push(`| strategy | CPUs | smallest pool | under ${f.maxFailureRate} | hiwater | pool / hiwater | ${f.vmGiB.map((g) => `${g} GiB VM`).join(' | ')} | real threads |`);
    lines.push(`|---|---:|---|---|---|---:|${f.vmGiB.map(() => '---|').join('')}---|`);
    for (const a of answers.filter((x) => x.workload === workload)) lines.push(tableRow(a, f.vmGiB));
    lines.push('');
  }
  if (f.notes.length) lines.push('## Notes', '', ...f.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
