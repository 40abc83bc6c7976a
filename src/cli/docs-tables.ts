/**
 * The reference tables of docs/, generated from the declarations so they
 * cannot drift: the options of each command (bench-options.ts,
 * compare-options.ts, merge-options.ts, gate-options.ts, size-options.ts), the gate's figures
 * and default suite, and the columns of each result file
 * (src/export/columns.ts, sizing-columns.ts and each built-in strategy's `columns`). `npm run
 * docs` rewrites the blocks between `<!-- generated: NAME -->` and
 * `<!-- end generated: NAME -->`; a test fails when a block is stale.
 */
import type { ColumnSpec } from '../base/column.js';
import { FRAGMENTATION_COLUMNS, PER_NODE_FRAGMENTATION_COLUMNS, PER_NODE_THROUGHPUT_COLUMNS, THROUGHPUT_COLUMNS } from '../export/columns.js';
import { STRATEGIES } from '../../strategies/index.js';
import { COST_TERMS } from '../run/sim/calibration.js';
import { BENCH_OPTIONS } from './bench-options.js';
import { COMPARE_OPTIONS } from './compare-options.js';
import { MERGE_OPTIONS } from './merge-options.js';
import { FIGURES } from '../analysis/gate-figures.js';
import { GATE_OPTIONS } from './gate-options.js';
import { defaultSuite } from './gate-suite.js';
import { GATE_VALIDATE_OPTIONS } from './gate-validate-command.js';
import { SIZE_OPTIONS } from './size-options.js';
import { PROPOSALS_OPTIONS } from './proposals-options.js';
import { SIZING_COLUMNS } from '../export/sizing-columns.js';
import { type OptionTable, defaultShown, flagText } from './option-spec.js';

const cellText = (s: string) => s.replace(/\|/g, '\\|');

/** A markdown table of a command's options: flag, default, unit of the value in summary.json, meaning. */
export function optionsTable(table: OptionTable): string {
  const rows = Object.entries(table).map(([key, spec]) => {
    const shown = defaultShown(spec);
    const choices = spec.choices ? ` (one of: ${spec.choices.join(', ')})` : '';
    return `| \`${flagText(key, spec)}\` | ${shown ? `\`${cellText(shown)}\`` : ''} | ${spec.unit ?? ''} | ${cellText(spec.help)}${cellText(choices)} |`;
  });
  return ['| option | default | unit | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** A markdown table of columns: name, unit, meaning. */
export function columnsTable(columns: readonly ColumnSpec[]): string {
  return ['| column | unit | meaning |', '|---|---|---|', ...columns.map((c) => `| \`${c.name}\` | ${c.unit} | ${cellText(c.description)} |`)].join('\n');
}

/** The columns each built-in strategy adds, one table per strategy and file. */
function strategyColumns(): string {
  const parts: string[] = [];
  for (const s of STRATEGIES.values()) {
    for (const file of ['throughput', 'fragmentation'] as const) {
      const cols = s.columns?.[file];
      if (cols?.length) parts.push(`\`${s.name}\` adds to \`${file}.csv\`:\n\n${columnsTable(cols)}`);
    }
  }
  return parts.join('\n\n');
}

/** `exact`, `±1%`, `±0.01`: a gate tolerance in words. */
function toleranceText(t: { relative?: number; absolute?: number }): string {
  const parts = [t.relative ? `±${t.relative * 100}%` : '', t.absolute ? `±${t.absolute}` : ''].filter(Boolean);
  return parts.length ? parts.join(' or ') : 'exact (0)';
}

/** Every generated block, by name. */
export function generatedBlocks(): Record<string, string> {
  return {
    'bench-options': optionsTable(BENCH_OPTIONS),
    'compare-options': optionsTable(COMPARE_OPTIONS),
    'merge-options': optionsTable(MERGE_OPTIONS),
    'gate-options': optionsTable(GATE_OPTIONS),
    'gate-validate-options': optionsTable(GATE_VALIDATE_OPTIONS),
    'gate-figures': ['| figure | unit | better | default tolerance | meaning |', '|---|---|---|---|---|', ...FIGURES.map((f) => `| \`${f.key}\` | ${f.unit} | ${f.higherIsBetter ? 'higher' : 'lower'} | ${toleranceText(f.tolerance)} | ${cellText(f.label)} |`)].join('\n'),
    'gate-suite': ['```json', JSON.stringify(defaultSuite(), null, 2), '```'].join('\n'),
    'throughput-columns': columnsTable([...THROUGHPUT_COLUMNS, ...PER_NODE_THROUGHPUT_COLUMNS]),
    'fragmentation-columns': columnsTable([...FRAGMENTATION_COLUMNS, ...PER_NODE_FRAGMENTATION_COLUMNS]),
    'strategy-columns': strategyColumns(),
    'size-options': optionsTable(SIZE_OPTIONS),
    'proposals-options': optionsTable(PROPOSALS_OPTIONS),
    'sizing-columns': columnsTable(SIZING_COLUMNS),
    'cost-terms': ['| term | unit | meaning |', '|---|---|---|', ...COST_TERMS.map((t) => `| \`${t.name}\` | ${t.unit} | ${cellText(t.meaning)} |`)].join('\n'),
  };
}

/**
 * `text` with every generated block it marks replaced by its current content.
 * @throws Error naming a block that the text opens but never closes, or that does not exist.
 */
export function fillBlocks(text: string, blocks: Record<string, string> = generatedBlocks()): string {
  return text.replace(/<!-- generated: ([\w-]+) -->\n[\s\S]*?(?:<!-- end generated: \1 -->|$)/g, (whole, name: string) => {
    if (!(name in blocks)) throw new Error(`unknown generated block '${name}'`);
    if (!whole.includes(`<!-- end generated: ${name} -->`)) throw new Error(`generated block '${name}' is not closed by <!-- end generated: ${name} -->`);
    return `<!-- generated: ${name} -->\n${blocks[name]}\n<!-- end generated: ${name} -->`;
  });
}
