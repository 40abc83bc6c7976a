/** The column schema: every column declared with a unit and a meaning, headers built from the declarations, undeclared columns refused. */
import { describe, expect, it } from 'vitest';
import { columnMatches } from '../../src/base/column.js';
import {
  FRAGMENTATION_COLUMNS, PER_NODE_FRAGMENTATION_COLUMNS, PER_NODE_THROUGHPUT_COLUMNS, THROUGHPUT_COLUMNS, UndeclaredColumnError, declaredColumns, describeColumns, header,
} from '../../src/export/columns.js';
import { STRATEGIES } from '../../strategies/index.js';

const strategies = [...STRATEGIES.values()];

describe('column declarations', () => {
  it('every column of both files and of every built-in strategy has a unit (text columns: none) and a description', () => {
    const all = [...THROUGHPUT_COLUMNS, ...PER_NODE_THROUGHPUT_COLUMNS, ...FRAGMENTATION_COLUMNS, ...PER_NODE_FRAGMENTATION_COLUMNS, ...strategies.flatMap((s) => [...(s.columns?.throughput ?? []), ...(s.columns?.fragmentation ?? [])])];
    const missing = all.filter((c) => c.description.trim().length < 10 || (c.unit === '' && !['strategy', 'workload', 'lock', 'engine'].includes(c.name)));
    expect(missing.map((c) => c.name)).toEqual([]);
  });

  it('names are unique within each file, strategies included', () => {
    for (const file of ['throughput', 'fragmentation'] as const) {
      const names = declaredColumns(file, strategies).map((c) => c.name);
      expect(new Set(names).size, file).toBe(names.length);
    }
  });

  it('`<i>` columns match node numbers only', () => {
    const [spec] = PER_NODE_THROUGHPUT_COLUMNS;
    expect(columnMatches(spec, 'node0_hiwater_slots')).toBe(true);
    expect(columnMatches(spec, 'node12_hiwater_slots')).toBe(true);
    expect(columnMatches(spec, 'nodex_hiwater_slots')).toBe(false);
    expect(columnMatches(spec, 'node_hiwater_slots')).toBe(false);
  });
});

describe('header', () => {
  const base = Object.fromEntries(THROUGHPUT_COLUMNS.map((c) => [c.name, c.unit === '' ? 'x' : 0]));
  const row = (over: Record<string, string | number>) => ({ ...base, ...over });

  it("lists the harness's columns in declared order, then per-node columns by node number, then the strategies' in theirs", () => {
    const numa = STRATEGIES.get('per-numa-pools')!;
    const rows = [
      row({ strategy: 'global-lock' }),
      row({ strategy: 'per-numa-pools', node1_hiwater_slots: 3, node0_hiwater_slots: 4, remote_pct: 1, remote_maps: 2, failures_with_room: 0 }),
    ];
    const h = header('throughput', rows, strategies);
    expect(h.slice(0, THROUGHPUT_COLUMNS.length)).toEqual(THROUGHPUT_COLUMNS.map((c) => c.name));
    expect(h.slice(THROUGHPUT_COLUMNS.length)).toEqual(['node0_hiwater_slots', 'node1_hiwater_slots', ...numa.columns!.throughput!.map((c) => c.name)]);
  });

  it("leaves out the columns of strategies that did not run", () => {
    expect(header('throughput', [row({ strategy: 'global-lock' })], strategies)).toEqual(THROUGHPUT_COLUMNS.map((c) => c.name));
  });

  it('refuses a column nobody declared, naming the strategy and the column', () => {
    const rows = [row({ strategy: 'my-plugin', my_counter: 1 })];
    expect(() => header('throughput', rows, [{ name: 'my-plugin' }])).toThrow(UndeclaredColumnError);
    expect(() => header('throughput', rows, [{ name: 'my-plugin' }])).toThrow(/throughput\.csv: column 'my_counter' \(from strategy my-plugin\) is declared nowhere/);
    // Declared by the plug-in: accepted, and described for summary.json.
    const plugin = { name: 'my-plugin', columns: { throughput: [{ name: 'my_counter', unit: 'count', description: 'what my plug-in counts' }] } };
    const h = header('throughput', rows, [plugin]);
    expect(h.at(-1)).toBe('my_counter');
    expect(describeColumns('throughput', h, [plugin]).at(-1)).toEqual(plugin.columns.throughput[0]);
  });

  it('describes per-node columns once, by their pattern', () => {
    const d = describeColumns('fragmentation', ['io_tlb_used', 'node0_io_tlb_used', 'node1_io_tlb_used'], strategies);
    expect(d.map((c) => c.name)).toEqual(['io_tlb_used', 'node<i>_io_tlb_used']);
  });
});
