/**
 * sizing.csv and sizing.md for dynamic-growth answers: the failures broken
 * down by why the kernel's fallback failed (a transient pool without a fit,
 * without pages, or a size over one segment), and no confidential-VM lines
 * when no static answer was searched.
 */
import { describe, expect, it } from 'vitest';
import type { SizingAnswer } from '../../src/export/sizing-answer.js';
import { sizingRows } from '../../src/export/sizing-rows.js';
import { sizingMarkdown, sizingWords } from '../../src/export/sizing-md.js';

/** A dynamic answer from a 64 MiB boot pool (32768 slots) with these failure causes. */
function dynamicAnswer(cpus: number, noFit: number, noPages: number, oversize: number): SizingAnswer {
  const failures = noFit + noPages + oversize;
  const at = { poolSlots: 32768, nareas: cpus, attempts: 10_000, failures, hiwaterSlots: 40_000, peakReservedBytes: 2 ** 26, growths: 3, transientPools: 20 };
  return {
    workload: 'coco-boot-mix', strategy: 'dynamic-growth', cpus, seeds: [1, 2, 3], kind: 'dynamic', searchedUpToSlots: 0, at, probes: 3, nonMonotone: [], seed: 2,
    dynamic: { failures, peakMemoryBytes: 2 ** 27, growths: 3, transientPools: 20, hiwaterSlots: 40_000, attempts: 10_000, noFit, noPages, oversize },
  };
}

describe('dynamic answers by failure cause', () => {
  const answers = [dynamicAnswer(64, 12, 0, 0), dynamicAnswer(256, 5, 3, 1), dynamicAnswer(8, 0, 0, 0)];

  it('sizing.csv carries each cause in its own column, and they add up to the failures', () => {
    const rows = sizingRows(answers, [2]);
    expect(rows.map((r) => [r.failures, r.failures_no_fit, r.failures_no_pages, r.failures_oversize])).toEqual([[12, 12, 0, 0], [9, 5, 3, 1], [0, 0, 0, 0]]);
  });

  it('sizing.md names the causes, explains a no-fit failure, and says nothing of the 6% rule without a static answer', () => {
    const words = sizingWords(answers, [2, 8]);
    expect(words.some((w) => w.includes('confidential VM'))).toBe(false);
    expect(words[0]).toContain('coco-boot-mix/dynamic-growth/64 (12: 12 no fit in their transient pool)');
    expect(words[0]).toContain('coco-boot-mix/dynamic-growth/256 (9: 5 no fit in their transient pool, 3 no pages for a transient pool, 1 over one segment (256 KiB))');
    expect(words[1]).toMatch(/^No fit: a transient pool has exactly nr_slots\(size\) slots/);
    const md = sizingMarkdown(answers, { command: 'npm run size', calibration: 'c.json', passes: 1, maxFailureRate: 1e-4, vmGiB: [2, 8], notes: [] });
    expect(md).toContain('from the 64 MiB boot pool: 0 failures, peak'); // no empty "()" after zero failures
    expect(md).not.toMatch(/failures \(\)/);
    expect(md).toContain('9 failures (5 no fit in their transient pool, 3 no pages for a transient pool, 1 over one segment (256 KiB)), peak');
  });

  it('a replay without failures gets no no-fit explanation', () => {
    expect(sizingWords([dynamicAnswer(8, 0, 0, 0)], [2]).some((w) => w.startsWith('No fit'))).toBe(false);
  });
});
