import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConformanceInputError, replayFile } from '../../src/conformance/replay.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

const newest = join(FIXTURES, 'conformance', 'v-newest');
const v66 = join(FIXTURES, 'conformance', 'v6.6');
const dynamic = join(FIXTURES, 'conformance', 'v-newest-dynamic');
const files = readdirSync(newest).filter((f) => f.endsWith('.jsonl'));
const v66Files = readdirSync(v66).filter((f) => f.endsWith('.jsonl'));
const dynamicFiles = readdirSync(dynamic).filter((f) => f.endsWith('.jsonl'));

describe.each([
  ['newest', newest, files, 10],
  ['v6.6', v66, v66Files, 9],
] as const)('golden vectors (%s rules)', (rules, dir, list, count) => {
  it(`has all ${count} files`, () => {
    expect(list).toHaveLength(count);
  });

  it.each(list)('%s replays with 0 mismatches', (file) => {
    const r = replayFile(join(dir, file));
    expect(r.rules).toBe(rules);
    expect(r.first).toBeUndefined();
    expect(r.mismatches).toBe(0);
    expect(r.ops).toBeGreaterThan(3000);
    expect(r.checks).toBeGreaterThan(40);
  });
});

describe('golden vectors of the dynamic path (CONFIG_SWIOTLB_DYNAMIC, growth run where each `grow` op says)', () => {
  it('has all 4 files', () => {
    expect(dynamicFiles).toHaveLength(4);
  });

  it.each(dynamicFiles)('%s replays every map, unmap, grow and check with 0 mismatches', (file) => {
    const r = replayFile(join(dynamic, file));
    expect(r.dynamic).toBe(true);
    expect(r.first).toBeUndefined();
    expect(r.mismatches).toBe(0);
    expect(r.ops).toBeGreaterThan(4000);
    expect(r.grows).toBeGreaterThan(200);
    expect(r.checks).toBeGreaterThan(50);
  });

  it('reports a growth pool with the wrong area count (dyn-tight-budget-halving line 734: 1024 slots keep 8 areas)', () => {
    const dir = tempDir('conf');
    const lines = readFileSync(join(dynamic, 'dyn-tight-budget-halving.jsonl'), 'utf8').split('\n');
    expect(JSON.parse(lines[733])).toMatchObject({ op: 'grow', expect: { nslabs: 1024, nareas: 8, tried: [2048, 1024] } });
    lines[733] = lines[733].replace('"nareas":8', '"nareas":4');
    writeFileSync(join(dir, 'mutated.jsonl'), lines.join('\n'));
    expect(replayFile(join(dir, 'mutated.jsonl')).first).toMatchObject({ line: 734, op: 'grow', field: 'nareas' });
  });

  it('reports a transient unmap the vector does not expect', () => {
    const dir = tempDir('conf');
    const lines = readFileSync(join(dynamic, 'dyn-1area-overflow.jsonl'), 'utf8').split('\n');
    const n = lines.findIndex((l) => l.includes('"transient_freed":true'));
    const op = JSON.parse(lines[n]);
    delete op.expect;
    lines[n] = JSON.stringify(op);
    writeFileSync(join(dir, 'mutated.jsonl'), lines.join('\n'));
    expect(replayFile(join(dir, 'mutated.jsonl')).first).toMatchObject({ line: n + 1, op: 'unmap', field: 'transient_freed' });
  });
});

describe('the two rule sets differ where the README says', () => {
  it('a newest-rules file replayed with v6.6 rules mismatches at the documented first difference', () => {
    const dir = tempDir('conf');
    const text = readFileSync(join(newest, 'alloc-align.jsonl'), 'utf8').replace('"kernel_rules":"newest"', '"kernel_rules":"v6.6"');
    writeFileSync(join(dir, 'as-v66.jsonl'), text);
    // alloc-align id 0: v6.6 gives index 4, 1 slot; newest index 0, 8 slots.
    expect(replayFile(join(dir, 'as-v66.jsonl')).first).toMatchObject({ line: 2, op: 'map', id: 0 });
  });
});

describe('replay detects differences', () => {
  it('reports the first wrong expect in full', () => {
    const dir = tempDir('conf');
    const lines = readFileSync(join(newest, 'single-area-basic.jsonl'), 'utf8').split('\n');
    const n = lines.findIndex((l) => l.includes('"op":"map"') && l.includes('"index":'));
    const op = JSON.parse(lines[n]);
    op.expect.index += 1;
    lines[n] = JSON.stringify(op);
    const file = join(dir, 'mutated.jsonl');
    writeFileSync(file, lines.join('\n'));
    const r = replayFile(file);
    expect(r.mismatches).toBeGreaterThan(0);
    expect(r.first).toMatchObject({ line: n + 1, op: 'map', field: 'index' });
  });

  it('reports a wrong check field', () => {
    const dir = tempDir('conf');
    const lines = readFileSync(join(newest, 'multi-area-4.jsonl'), 'utf8').split('\n');
    const n = lines.findIndex((l) => l.includes('"op":"check"'));
    const check = JSON.parse(lines[n]);
    check.area_index[1] += 1;
    lines[n] = JSON.stringify(check);
    const file = join(dir, 'mutated.jsonl');
    writeFileSync(file, lines.join('\n'));
    expect(replayFile(file).first).toMatchObject({ line: n + 1, op: 'check', field: 'area_index' });
  });

  it('rejects malformed input naming file, line and field', () => {
    const dir = tempDir('conf');
    const file = join(dir, 'bad.jsonl');
    const lines = readFileSync(join(newest, 'network-mtu.jsonl'), 'utf8').split('\n').slice(0, 5);
    lines[3] = lines[3].replace('"size":', '"size":"x",  "was":');
    writeFileSync(file, lines.join('\n'));
    expect(() => replayFile(file)).toThrow(ConformanceInputError);
    expect(() => replayFile(file)).toThrow(/bad\.jsonl:4: field 'size'/);
  });
});

describe('npm run conformance', () => {
  it('exits 0 when every file of both rule sets matches', () => {
    const r = runCli('conformance', [...files.map((f) => join(newest, f)), ...v66Files.map((f) => join(v66, f))]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^ok /gm)).toHaveLength(19);
    expect(r.stdout).toMatch(/mismatches=0/);
  });

  it('with no arguments replays every bundled file: both static rule sets and the dynamic set', () => {
    const r = runCli('conformance', []);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^ok .*\[newest\]/gm)).toHaveLength(10);
    expect(r.stdout.match(/^ok .*\[v6\.6\]/gm)).toHaveLength(9);
    expect(r.stdout.match(/^ok .*\[newest, dynamic\] .*mismatches=0$/gm)).toHaveLength(4);
  });

  it('exits 1 on a mismatch and prints it', () => {
    const dir = tempDir('conf');
    const lines = readFileSync(join(newest, 'nvme-4k-align.jsonl'), 'utf8').split('\n');
    const n = lines.findIndex((l) => l.includes('"tlb":'));
    lines[n] = lines[n].replace(/"tlb":(\d+)/, (_, t) => `"tlb":${Number(t) + 2048}`);
    const file = join(dir, 'mutated.jsonl');
    writeFileSync(file, lines.join('\n'));
    const r = runCli('conformance', [file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/first mismatch at line \d+ \(map id \d+, field 'tlb'\)/);
  });

  it('exits 2 on unreadable input', () => {
    const r = runCli('conformance', ['/nonexistent/file.jsonl']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/cannot read/);
  });
});
